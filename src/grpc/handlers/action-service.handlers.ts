import { fromJson, type DescMessage, type JsonValue, type MessageShape } from '@bufbuild/protobuf';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { detailsJson, listDetailsJson } from '../../common/http/json-output';
import { parseInt64 } from '../../common/json/int64';
import { pageOf } from '../../common/read-model/list';
import { DeleteExecutionCommand } from '../../executions/commands/delete-execution.command';
import { SetExecutionCommand, type ExecutionTargetInput } from '../../executions/commands/set-execution.command';
import { conditionFromDto } from '../../executions/http/condition-json';
import { DeleteExecutionDto, ListExecutionsDto, SetExecutionDto } from '../../executions/http/execution.dto';
import { ListCatalogueQuery } from '../../executions/queries/catalogue-lists';
import { ListExecutionsQuery } from '../../executions/queries/list-executions.query';
import { CreateTargetCommand, DeleteTargetCommand, UpdateTargetCommand } from '../../targets/commands/target.commands';
import { CreateTargetDto, ListTargetsDto, UpdateTargetDto } from '../../targets/http/target.dto';
import { sortFieldFromDto, targetFiltersFromDto, targetJson, targetSpecFromDto } from '../../targets/http/target-json';
import { GetTargetQuery, ListTargetsQuery } from '../../targets/queries/target.queries';
import { callerOf } from '../auth/caller-context';
import {
  type ActionService,
  CreateTargetRequestSchema,
  CreateTargetResponseSchema,
  DeleteExecutionRequestSchema,
  DeleteExecutionResponseSchema,
  DeleteTargetResponseSchema,
  GetTargetByIDResponseSchema,
  ListExecutionFunctionsResponseSchema,
  ListExecutionMethodsResponseSchema,
  ListExecutionServicesResponseSchema,
  ListExecutionsRequestSchema,
  ListExecutionsResponseSchema,
  ListTargetsRequestSchema,
  ListTargetsResponseSchema,
  SetExecutionRequestSchema,
  SetExecutionResponseSchema,
  UpdateTargetRequestSchema,
  UpdateTargetResponseSchema,
} from '../gen/zitadel/action/v3alpha/action_service_pb';
import { executionFilterFromDto, executionJson } from './execution-list-mapping';
import { validateRequest } from './validate-request';

/**
 * The ActionService RPCs over the same command and query buses as the REST controllers.
 * Requests are validated with the REST DTO rules (via their protobuf JSON form) and mapped to
 * commands with the same mappers; results go through the same JSON mappers and are read back
 * into protobuf messages, so every transport answers alike.
 */
@Injectable()
export class ActionServiceHandlers {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  /** The Connect service implementation (method name → handler). */
  implementation(): ServiceImpl<typeof ActionService> {
    return {
      createTarget: async (request, context) => {
        const caller = callerOf(context);
        const body = await validateRequest(CreateTargetRequestSchema, request, CreateTargetDto);
        const created = await this.commands.execute(new CreateTargetCommand(caller.instanceId, targetSpecFromDto(body), caller.subject));
        return reply(CreateTargetResponseSchema, { id: created.id, details: detailsJson(created.details) });
      },
      updateTarget: async (request, context) => {
        const caller = callerOf(context);
        const body = await validateRequest(UpdateTargetRequestSchema, request, UpdateTargetDto);
        const command = new UpdateTargetCommand(caller.instanceId, request.targetId, targetSpecFromDto(body), caller.subject);
        return reply(UpdateTargetResponseSchema, { details: detailsJson(await this.commands.execute(command)) });
      },
      deleteTarget: async (request, context) => {
        const caller = callerOf(context);
        const details = await this.commands.execute(new DeleteTargetCommand(caller.instanceId, request.targetId, caller.subject));
        return reply(DeleteTargetResponseSchema, { details: detailsJson(details) });
      },
      getTargetByID: async (request, context) => {
        const target = await this.queries.execute(new GetTargetQuery(callerOf(context).instanceId, request.targetId));
        return reply(GetTargetByIDResponseSchema, { target: targetJson(target) });
      },
      listTargets: async (request, context) => {
        const body = await validateRequest(ListTargetsRequestSchema, request, ListTargetsDto);
        const { sortBy, sortingColumn } = sortFieldFromDto(body);
        const page = pageOf(parseInt64(body.query?.offset ?? 0), body.query?.limit, body.query?.asc);
        const list = await this.queries.execute(new ListTargetsQuery(callerOf(context).instanceId, targetFiltersFromDto(body), sortBy, page));
        return reply(ListTargetsResponseSchema, { details: listDetailsJson(list.details), sortingColumn, result: list.result.map(targetJson) });
      },
      setExecution: async (request, context) => {
        const caller = callerOf(context);
        const body = await validateRequest(SetExecutionRequestSchema, request, SetExecutionDto);
        const targets = body.targets.map((entry): ExecutionTargetInput => (entry.include ? { include: conditionFromDto(entry.include) } : { target: entry.target! }));
        const command = new SetExecutionCommand(caller.instanceId, conditionFromDto(body.condition), targets, caller.subject);
        return reply(SetExecutionResponseSchema, { details: detailsJson(await this.commands.execute(command)) });
      },
      deleteExecution: async (request, context) => {
        const caller = callerOf(context);
        const body = await validateRequest(DeleteExecutionRequestSchema, request, DeleteExecutionDto);
        const command = new DeleteExecutionCommand(caller.instanceId, conditionFromDto(body.condition), caller.subject);
        return reply(DeleteExecutionResponseSchema, { details: detailsJson(await this.commands.execute(command)) });
      },
      listExecutions: async (request, context) => {
        const body = await validateRequest(ListExecutionsRequestSchema, request, ListExecutionsDto);
        const filters = (body.queries ?? []).map(executionFilterFromDto);
        const page = pageOf(parseInt64(body.query?.offset ?? 0), body.query?.limit, body.query?.asc);
        const list = await this.queries.execute(new ListExecutionsQuery(callerOf(context).instanceId, filters, page));
        return reply(ListExecutionsResponseSchema, { details: listDetailsJson(list.details), result: list.result.map(executionJson) });
      },
      listExecutionFunctions: async (_request, context) => this.catalogue(context, ListExecutionFunctionsResponseSchema, 'functions'),
      listExecutionMethods: async (_request, context) => this.catalogue(context, ListExecutionMethodsResponseSchema, 'methods'),
      listExecutionServices: async (_request, context) => this.catalogue(context, ListExecutionServicesResponseSchema, 'services'),
    };
  }

  private async catalogue<Desc extends DescMessage>(
    context: HandlerContext,
    schema: Desc,
    list: 'functions' | 'methods' | 'services',
  ): Promise<MessageShape<Desc>> {
    callerOf(context);
    return reply(schema, { [list]: await this.queries.execute(new ListCatalogueQuery(list)) });
  }
}

/** Reads the REST JSON of a result into the response message (the same protobuf JSON mapping). */
function reply<Desc extends DescMessage>(schema: Desc, json: object): MessageShape<Desc> {
  return fromJson(schema, json as JsonValue);
}
