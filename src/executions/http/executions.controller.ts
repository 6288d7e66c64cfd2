import { Body, Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CurrentCaller, RequirePermission, type Caller } from '../../auth';
import { detailsJson, listDetailsJson, type DetailsJson, type ListDetailsJson } from '../../common/http/json-output';
import { parseInt64 } from '../../common/json/int64';
import { pageOf } from '../../common/read-model/list';
import { parseProtoEnum } from '../../common/validation/decorators';
import { DeleteExecutionCommand } from '../commands/delete-execution.command';
import { SetExecutionCommand, type ExecutionTargetInput } from '../commands/set-execution.command';
import type { ExecutionType } from '../domain/condition';
import { ListCatalogueQuery } from '../queries/catalogue-lists';
import type { ExecutionFilter, ExecutionView } from '../queries/execution.view';
import { ListExecutionsQuery } from '../queries/list-executions.query';
import { conditionFromDto, conditionToJson, type ConditionJson } from './condition-json';
import { DeleteExecutionDto, EXECUTION_TYPES, ExecutionSearchQueryDto, ListExecutionsDto, SetExecutionDto } from './execution.dto';
import { invalidRequest } from '../../common/errors/http-error-ids';

interface ExecutionJson {
  /** Spelled with a capital C, as ZITADEL emits it. */
  Condition: ConditionJson;
  details: DetailsJson;
  targets: ({ target: string } | { include: ConditionJson })[];
}

const EXECUTION_TYPE_BY_ENUM: Record<number, ExecutionType | undefined> = { 1: 'request', 2: 'response', 3: 'event', 4: 'function' };

function filterFromDto(dto: ExecutionSearchQueryDto, index: number): ExecutionFilter {
  if (dto.inConditionsQuery) return { kind: 'inConditions', conditions: dto.inConditionsQuery.conditions.map(conditionFromDto) };
  if (dto.executionTypeQuery) {
    const executionType = EXECUTION_TYPE_BY_ENUM[parseProtoEnum(EXECUTION_TYPES, dto.executionTypeQuery.executionType) ?? 0];
    if (!executionType) throw invalidRequest(`queries.${index}.executionTypeQuery.executionType must name an execution type`);
    return { kind: 'executionType', executionType };
  }
  if (dto.targetQuery) return { kind: 'target', targetId: dto.targetQuery.targetId };
  return { kind: 'include', include: conditionFromDto(dto.includeQuery!.include) };
}

const executionJson = (execution: ExecutionView): ExecutionJson => ({
  Condition: conditionToJson(execution.condition),
  details: detailsJson(execution.details),
  targets: execution.targets.map((entry) => ('target' in entry ? { target: entry.target } : { include: conditionToJson(entry.include) })),
});

@Controller('v3alpha/executions')
export class ExecutionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Put()
  @RequirePermission('execution.write')
  async setExecution(@Body() body: SetExecutionDto, @CurrentCaller() caller: Caller): Promise<{ details: DetailsJson }> {
    const targets = body.targets.map((entry): ExecutionTargetInput => (entry.include ? { include: conditionFromDto(entry.include) } : { target: entry.target! }));
    const details = await this.commands.execute(new SetExecutionCommand(caller.instanceId, conditionFromDto(body.condition), targets, caller.subject));
    return { details: detailsJson(details) };
  }

  @Delete()
  @RequirePermission('execution.delete')
  async deleteExecution(@Body() body: DeleteExecutionDto, @CurrentCaller() caller: Caller): Promise<{ details: DetailsJson }> {
    const details = await this.commands.execute(new DeleteExecutionCommand(caller.instanceId, conditionFromDto(body.condition), caller.subject));
    return { details: detailsJson(details) };
  }

  @Post('search')
  @HttpCode(200)
  @RequirePermission('execution.read')
  async listExecutions(@Body() body: ListExecutionsDto, @CurrentCaller() caller: Caller): Promise<{ details: ListDetailsJson; result: ExecutionJson[] }> {
    const filters = (body.queries ?? []).map(filterFromDto);
    const page = pageOf(parseInt64(body.query?.offset ?? 0), body.query?.limit, body.query?.asc);
    const list = await this.queries.execute(new ListExecutionsQuery(caller.instanceId, filters, page));
    return { details: listDetailsJson(list.details), result: list.result.map(executionJson) };
  }

  @Get('functions')
  @RequirePermission('execution.read')
  async listFunctions(): Promise<{ functions: readonly string[] }> {
    return { functions: await this.queries.execute(new ListCatalogueQuery('functions')) };
  }

  @Get('methods')
  @RequirePermission('execution.read')
  async listMethods(): Promise<{ methods: readonly string[] }> {
    return { methods: await this.queries.execute(new ListCatalogueQuery('methods')) };
  }

  @Get('services')
  @RequirePermission('execution.read')
  async listServices(): Promise<{ services: readonly string[] }> {
    return { services: await this.queries.execute(new ListCatalogueQuery('services')) };
  }
}
