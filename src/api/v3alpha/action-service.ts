import { create } from '@bufbuild/protobuf';
import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Caller } from '../../auth/caller';
import { pageOf, type Page } from '../../common/read-model/list';
import { DeleteExecutionCommand } from '../../executions/commands/delete-execution.command';
import { SetExecutionCommand, type ExecutionTargetInput } from '../../executions/commands/set-execution.command';
import type { ExecutionType as DomainExecutionType } from '../../executions/domain/condition';
import { ListCatalogueQuery } from '../../executions/queries/catalogue-lists';
import type { ExecutionFilter } from '../../executions/queries/execution.view';
import { ListExecutionsQuery } from '../../executions/queries/list-executions.query';
import {
  CreateTargetResponseSchema,
  DeleteExecutionResponseSchema,
  DeleteTargetResponseSchema,
  GetTargetByIDResponseSchema,
  ListExecutionFunctionsResponseSchema,
  ListExecutionMethodsResponseSchema,
  ListExecutionServicesResponseSchema,
  ListExecutionsResponseSchema,
  ListTargetsResponseSchema,
  SetExecutionResponseSchema,
  UpdateTargetResponseSchema,
  type CreateTargetRequest,
  type CreateTargetResponse,
  type DeleteExecutionRequest,
  type DeleteExecutionResponse,
  type DeleteTargetRequest,
  type DeleteTargetResponse,
  type GetTargetByIDRequest,
  type GetTargetByIDResponse,
  type ListExecutionFunctionsResponse,
  type ListExecutionMethodsResponse,
  type ListExecutionServicesResponse,
  type ListExecutionsRequest,
  type ListExecutionsResponse,
  type ListTargetsRequest,
  type ListTargetsResponse,
  type SetExecutionRequest,
  type SetExecutionResponse,
  type UpdateTargetRequest,
  type UpdateTargetResponse,
} from '../../grpc/gen/zitadel/action/v3alpha/action_service_pb';
import type { SearchQuery, TargetSearchQuery } from '../../grpc/gen/zitadel/action/v3alpha/query_pb';
import { ExecutionType, TargetFieldNameSchema } from '../../grpc/gen/zitadel/action/v3alpha/query_pb';
import type { ListQuery } from '../../grpc/gen/zitadel/object/v2beta/object_pb';
import { TextQueryMethodSchema } from '../../grpc/gen/zitadel/object/v2beta/object_pb';
import { CreateTargetCommand, DeleteTargetCommand, UpdateTargetCommand } from '../../targets/commands/target.commands';
import { TargetType } from '../../targets/domain/target-events';
import type { TargetSpec } from '../../targets/domain/target-rules';
import { GetTargetQuery, ListTargetsQuery } from '../../targets/queries/target.queries';
import type { TargetFilter, TargetSortField, TextMatch } from '../../targets/queries/target.view';
import { conditionFromMessage } from './conditions';
import { detailsMessage, executionMessage, listDetailsMessage, nanosOf, targetMessage } from './results';

/**
 * zitadel.action.v3alpha.ActionService on the command and query buses: each RPC takes its
 * validated request message and the verified caller, and answers its response message. REST
 * and every RPC protocol call these same methods; only decoding and encoding differ.
 */
@Injectable()
export class V3alphaActionService {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  async createTarget(caller: Caller, request: CreateTargetRequest): Promise<CreateTargetResponse> {
    const created = await this.commands.execute(new CreateTargetCommand(caller.instanceId, targetSpecOf(request), caller.subject));
    return create(CreateTargetResponseSchema, { id: created.id, details: detailsMessage(created.details) });
  }

  async updateTarget(caller: Caller, request: UpdateTargetRequest): Promise<UpdateTargetResponse> {
    const details = await this.commands.execute(new UpdateTargetCommand(caller.instanceId, request.targetId, targetSpecOf(request), caller.subject));
    return create(UpdateTargetResponseSchema, { details: detailsMessage(details) });
  }

  async deleteTarget(caller: Caller, request: DeleteTargetRequest): Promise<DeleteTargetResponse> {
    const details = await this.commands.execute(new DeleteTargetCommand(caller.instanceId, request.targetId, caller.subject));
    return create(DeleteTargetResponseSchema, { details: detailsMessage(details) });
  }

  async getTargetByID(caller: Caller, request: GetTargetByIDRequest): Promise<GetTargetByIDResponse> {
    const target = await this.queries.execute(new GetTargetQuery(caller.instanceId, request.targetId));
    return create(GetTargetByIDResponseSchema, { target: targetMessage(target) });
  }

  async listTargets(caller: Caller, request: ListTargetsRequest): Promise<ListTargetsResponse> {
    const sortingColumn = request.sortingColumn;
    const sortBy = enumSuffix(TargetFieldNameSchema.value[sortingColumn]?.name, 'TARGET_FIELD_NAME_', 'UNSPECIFIED') as TargetSortField;
    const list = await this.queries.execute(new ListTargetsQuery(caller.instanceId, request.queries.map(targetFilterOf), sortBy, pageFrom(request.query)));
    return create(ListTargetsResponseSchema, { details: listDetailsMessage(list.details), sortingColumn, result: list.result.map(targetMessage) });
  }

  async setExecution(caller: Caller, request: SetExecutionRequest): Promise<SetExecutionResponse> {
    const targets = request.targets.map((entry): ExecutionTargetInput =>
      entry.type.case === 'include' ? { include: conditionFromMessage(entry.type.value) } : { target: entry.type.value ?? '' },
    );
    const command = new SetExecutionCommand(caller.instanceId, conditionFromMessage(request.condition!), targets, caller.subject);
    return create(SetExecutionResponseSchema, { details: detailsMessage(await this.commands.execute(command)) });
  }

  async deleteExecution(caller: Caller, request: DeleteExecutionRequest): Promise<DeleteExecutionResponse> {
    const command = new DeleteExecutionCommand(caller.instanceId, conditionFromMessage(request.condition!), caller.subject);
    return create(DeleteExecutionResponseSchema, { details: detailsMessage(await this.commands.execute(command)) });
  }

  async listExecutions(caller: Caller, request: ListExecutionsRequest): Promise<ListExecutionsResponse> {
    const list = await this.queries.execute(new ListExecutionsQuery(caller.instanceId, request.queries.map(executionFilterOf), pageFrom(request.query)));
    return create(ListExecutionsResponseSchema, { details: listDetailsMessage(list.details), result: list.result.map(executionMessage) });
  }

  async listExecutionFunctions(): Promise<ListExecutionFunctionsResponse> {
    return create(ListExecutionFunctionsResponseSchema, { functions: [...(await this.queries.execute(new ListCatalogueQuery('functions')))] });
  }

  async listExecutionMethods(): Promise<ListExecutionMethodsResponse> {
    return create(ListExecutionMethodsResponseSchema, { methods: [...(await this.queries.execute(new ListCatalogueQuery('methods')))] });
  }

  async listExecutionServices(): Promise<ListExecutionServicesResponse> {
    return create(ListExecutionServicesResponseSchema, { services: [...(await this.queries.execute(new ListCatalogueQuery('services')))] });
  }
}

const pageFrom = (query: ListQuery | undefined): Page => pageOf(Number(query?.offset ?? 0n), query?.limit, query?.asc);

const enumSuffix = (name: string | undefined, prefix: string, fallback: string): string => (name ? name.slice(prefix.length) : fallback);

type TargetFieldsMessage = Pick<UpdateTargetRequest, 'name' | 'endpoint' | 'timeout' | 'targetType'>;

/** The fields a create or update request states (absent ones stay absent; the domain decides what is required). */
function targetSpecOf(request: TargetFieldsMessage | CreateTargetRequest): Partial<TargetSpec> {
  const spec: Partial<TargetSpec> = {};
  if (request.name !== undefined) spec.name = request.name;
  if (request.endpoint !== undefined) spec.endpoint = request.endpoint;
  if (request.timeout !== undefined) spec.timeout = nanosOf(request.timeout);
  const type = request.targetType;
  if (type.case === 'restWebhook') Object.assign(spec, { targetType: TargetType.Webhook, interruptOnError: type.value.interruptOnError });
  else if (type.case === 'restCall') Object.assign(spec, { targetType: TargetType.Call, interruptOnError: type.value.interruptOnError });
  else if (type.case === 'restAsync') Object.assign(spec, { targetType: TargetType.Async, interruptOnError: false });
  return spec;
}

const EXECUTION_TYPES: Record<number, DomainExecutionType> = {
  [ExecutionType.REQUEST]: 'request',
  [ExecutionType.RESPONSE]: 'response',
  [ExecutionType.EVENT]: 'event',
  [ExecutionType.FUNCTION]: 'function',
};

function executionFilterOf(query: SearchQuery): ExecutionFilter {
  const filter = query.query;
  switch (filter.case) {
    case 'inConditionsQuery':
      return { kind: 'inConditions', conditions: filter.value.conditions.map(conditionFromMessage) };
    case 'executionTypeQuery':
      return { kind: 'executionType', executionType: EXECUTION_TYPES[filter.value.executionType] };
    case 'targetQuery':
      return { kind: 'target', targetId: filter.value.targetId };
    case 'includeQuery':
      return { kind: 'include', include: conditionFromMessage(filter.value.include!) };
    default:
      // Unreachable after validation (the oneof is required).
      throw new TypeError('search query without a filter');
  }
}

function targetFilterOf(query: TargetSearchQuery): TargetFilter {
  const filter = query.query;
  switch (filter.case) {
    case 'inTargetIdsQuery':
      return { kind: 'ids', ids: filter.value.targetIds };
    case 'targetNameQuery':
      return { kind: 'name', name: filter.value.targetName, match: enumSuffix(TextQueryMethodSchema.value[filter.value.method]?.name, 'TEXT_QUERY_METHOD_', 'EQUALS') as TextMatch };
    default:
      throw new TypeError('target search query without a filter');
  }
}
