import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { timestampFromDate, type Duration, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { Caller } from '../../auth/caller';
import { pageWithinLimit, type Page } from '../../common/read-model/list';
import { SetExecutionTargetsCommand } from '../../executions/commands/set-execution-targets.command';
import type { ExecutionType } from '../../executions/domain/condition';
import { ListCatalogueQuery, type CatalogueList } from '../../executions/queries/catalogue-lists';
import type { ExecutionFilter, ExecutionSortField, ExecutionView } from '../../executions/queries/execution.view';
import { ListExecutionsQuery } from '../../executions/queries/list-executions.query';
import { CreateTargetCommand, DeleteTargetIfExistsCommand, RotateTargetSigningKeyCommand, UpdateTargetCommand } from '../../targets/commands/target.commands';
import { TargetType } from '../../targets/domain/target-events';
import type { TargetSpec } from '../../targets/domain/target-rules';
import { GetTargetQuery, ListTargetsQuery } from '../../targets/queries/target.queries';
import type { TargetFilter, TargetSortField, TargetView, TextMatch } from '../../targets/queries/target.view';
import { conditionFromMessage, conditionInit, type ConditionMessage } from './conditions';

/*
 * zitadel.action.v2 and zitadel.action.v2beta are one contract under two packages: the same
 * messages, field numbers and enum values. Requests are read through the structural types
 * below (which the generated messages of both packages satisfy) and answers are message inits
 * that each package's schema turns into its own message (see rpc-services.ts).
 */

type TargetTypeChoice =
  | { case: 'restWebhook' | 'restCall'; value: { interruptOnError: boolean } }
  | { case: 'restAsync'; value: object }
  | { case: undefined; value?: undefined };

interface TargetFieldsRequest {
  name?: string;
  targetType: TargetTypeChoice;
  timeout?: Duration;
  endpoint?: string;
}

interface PaginationRequest {
  offset: bigint;
  limit: number;
  asc: boolean;
}

interface ListTargetsRequest {
  pagination?: PaginationRequest;
  sortingColumn?: number;
  filters: readonly {
    filter:
      | { case: 'targetNameFilter'; value: { targetName: string; method: number } }
      | { case: 'inTargetIdsFilter'; value: { targetIds: string[] } }
      | { case: undefined; value?: undefined };
  }[];
}

interface ListExecutionsRequest {
  pagination?: PaginationRequest;
  sortingColumn?: number;
  filters: readonly {
    filter:
      | { case: 'inConditionsFilter'; value: { conditions: ConditionMessage[] } }
      | { case: 'executionTypeFilter'; value: { executionType: number } }
      | { case: 'targetFilter'; value: { targetId: string } }
      | { case: undefined; value?: undefined };
  }[];
}

const NANOS_PER_SECOND = 1_000_000_000;
const nanosOf = (duration: Duration): number => Number(duration.seconds) * NANOS_PER_SECOND + duration.nanos;
const durationInit = (nanos: number) => ({ seconds: BigInt(Math.floor(nanos / NANOS_PER_SECOND)), nanos: nanos % NANOS_PER_SECOND });
const timestamp = (date: Date): Timestamp => timestampFromDate(date);

/** TargetFieldName values (the same numbers in v2 and v2beta) as the query's sort fields. */
const TARGET_SORT: Record<number, TargetSortField> = {
  0: 'UNSPECIFIED',
  1: 'ID',
  2: 'CREATION_DATE',
  3: 'CHANGE_DATE',
  4: 'NAME',
  5: 'TARGET_TYPE',
  6: 'URL',
  7: 'TIMEOUT',
  8: 'INTERRUPT_ON_ERROR',
};

/** ExecutionFieldName values; unspecified sorts by creation date, as ZITADEL does. */
const EXECUTION_SORT: Record<number, ExecutionSortField> = { 0: 'CREATION_DATE', 1: 'ID', 2: 'CREATION_DATE', 3: 'CHANGE_DATE' };

/** TextFilterMethod values. */
const TEXT_MATCH: Record<number, TextMatch> = {
  0: 'EQUALS',
  1: 'EQUALS_IGNORE_CASE',
  2: 'STARTS_WITH',
  3: 'STARTS_WITH_IGNORE_CASE',
  4: 'CONTAINS',
  5: 'CONTAINS_IGNORE_CASE',
  6: 'ENDS_WITH',
  7: 'ENDS_WITH_IGNORE_CASE',
};

/** ExecutionType values. */
const EXECUTION_TYPE: Record<number, ExecutionType> = { 1: 'request', 2: 'response', 3: 'event', 4: 'function' };

/**
 * The RPCs of the Actions v2 API on the command and query buses: each takes the verified caller
 * and the validated request message and answers the init of its response message. REST and
 * every RPC protocol of both packages call these same methods.
 */
@Injectable()
export class ActionsV2Service {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  async createTarget(caller: Caller, request: TargetFieldsRequest) {
    const created = await this.commands.execute(new CreateTargetCommand(caller.instanceId, targetSpecOf(request), caller.subject));
    return { id: created.id, creationDate: timestamp(created.details.changeDate), signingKey: created.signingKey };
  }

  /** The fields change first (nothing is appended when none differs); a rotation follows. */
  async updateTarget(caller: Caller, request: TargetFieldsRequest & { id: string; expirationSigningKey?: Duration }) {
    const details = await this.commands.execute(new UpdateTargetCommand(caller.instanceId, request.id, targetSpecOf(request), caller.subject));
    if (request.expirationSigningKey === undefined) return { changeDate: timestamp(details.changeDate) };
    const rotated = await this.commands.execute(new RotateTargetSigningKeyCommand(caller.instanceId, request.id, caller.subject));
    return { changeDate: timestamp(rotated.details.changeDate), signingKey: rotated.signingKey };
  }

  async deleteTarget(caller: Caller, request: { id: string }) {
    const { deletionDate } = await this.commands.execute(new DeleteTargetIfExistsCommand(caller.instanceId, request.id, caller.subject));
    return deletionDate ? { deletionDate: timestamp(deletionDate) } : {};
  }

  async getTarget(caller: Caller, request: { id: string }) {
    return { target: targetInit(await this.queries.execute(new GetTargetQuery(caller.instanceId, request.id, { withSigningKey: true }))) };
  }

  async listTargets(caller: Caller, request: ListTargetsRequest) {
    const page = pageOfRequest(request.pagination);
    const filters = request.filters.map(({ filter }): TargetFilter => {
      if (filter.case === 'inTargetIdsFilter') return { kind: 'ids', ids: filter.value.targetIds };
      if (filter.case === 'targetNameFilter') return { kind: 'name', name: filter.value.targetName, match: TEXT_MATCH[filter.value.method] ?? 'EQUALS' };
      throw new TypeError('target filter without a choice'); // unreachable after validation
    });
    const sortBy = TARGET_SORT[request.sortingColumn ?? 0] ?? 'UNSPECIFIED';
    const list = await this.queries.execute(new ListTargetsQuery(caller.instanceId, filters, sortBy, page, { withSigningKey: true }));
    return { pagination: paginationInit(list.details.totalResult, page), targets: list.result.map(targetInit) };
  }

  async setExecution(caller: Caller, request: { condition?: ConditionMessage; targets: string[] }) {
    // The condition is required by the request's rules (ACTION-5r5Ju).
    const command = new SetExecutionTargetsCommand(caller.instanceId, conditionFromMessage(request.condition!), request.targets, caller.subject);
    const { setDate } = await this.commands.execute(command);
    return setDate ? { setDate: timestamp(setDate) } : {};
  }

  async listExecutions(caller: Caller, request: ListExecutionsRequest) {
    const page = pageOfRequest(request.pagination);
    const filters = request.filters.map(({ filter }): ExecutionFilter => {
      switch (filter.case) {
        case 'inConditionsFilter':
          return { kind: 'inConditions', conditions: filter.value.conditions.map(conditionFromMessage) };
        case 'executionTypeFilter':
          return { kind: 'executionType', executionType: EXECUTION_TYPE[filter.value.executionType] };
        case 'targetFilter':
          return { kind: 'target', targetId: filter.value.targetId };
        default:
          throw new TypeError('execution filter without a choice'); // unreachable after validation
      }
    });
    const sortBy = EXECUTION_SORT[request.sortingColumn ?? 0] ?? 'CREATION_DATE';
    const list = await this.queries.execute(new ListExecutionsQuery(caller.instanceId, filters, page, sortBy));
    return { pagination: paginationInit(list.details.totalResult, page), executions: list.result.map(executionInit) };
  }

  listExecutionFunctions = async () => ({ functions: await this.catalogue('functions') });
  listExecutionMethods = async () => ({ methods: await this.catalogue('methods') });
  listExecutionServices = async () => ({ services: await this.catalogue('services') });

  private async catalogue(list: CatalogueList): Promise<string[]> {
    return [...(await this.queries.execute(new ListCatalogueQuery(list)))];
  }
}

/** Limit 0 is the default of 100; above 1000 is QUERY-4M0fs. */
const pageOfRequest = (pagination: PaginationRequest | undefined): Page => pageWithinLimit(Number(pagination?.offset ?? 0n), pagination?.limit, pagination?.asc);

const paginationInit = (totalResult: number, page: Page) => ({ totalResult: BigInt(totalResult), appliedLimit: BigInt(page.limit) });

/** The fields a create or update request states (absent ones stay absent; the domain decides what is required). */
function targetSpecOf(request: TargetFieldsRequest): Partial<TargetSpec> {
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

function targetInit(target: TargetView) {
  const settings = { interruptOnError: target.interruptOnError };
  const targetType =
    target.targetType === TargetType.Webhook
      ? { case: 'restWebhook' as const, value: settings }
      : target.targetType === TargetType.Call
        ? { case: 'restCall' as const, value: settings }
        : { case: 'restAsync' as const, value: {} };
  return {
    id: target.id,
    creationDate: timestamp(target.creationDate),
    changeDate: timestamp(target.details.changeDate),
    name: target.name,
    targetType,
    timeout: durationInit(target.timeout),
    endpoint: target.endpoint,
    signingKey: target.signingKey ?? '',
  };
}

/** v2 has no includes: an execution set through v3alpha lists only its target ids. */
const executionInit = (execution: ExecutionView) => ({
  condition: conditionInit(execution.condition),
  creationDate: timestamp(execution.creationDate),
  changeDate: timestamp(execution.details.changeDate),
  targets: execution.targets.flatMap((entry) => ('target' in entry ? [entry.target] : [])),
});
