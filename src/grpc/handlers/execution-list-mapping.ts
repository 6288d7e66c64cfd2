import { invalidRequest } from '../../common/errors/http-error-ids';
import { detailsJson, type DetailsJson } from '../../common/http/json-output';
import { parseProtoEnum } from '../../common/validation/decorators';
import type { ExecutionType } from '../../executions/domain/condition';
import { conditionFromDto, conditionToJson, type ConditionJson } from '../../executions/http/condition-json';
import { EXECUTION_TYPES, type ExecutionSearchQueryDto } from '../../executions/http/execution.dto';
import type { ExecutionFilter, ExecutionView } from '../../executions/queries/execution.view';

// The REST controller keeps these two mappings private; they are repeated here with the same
// rules (and the same error for an unspecified execution type) until they are shared.

const EXECUTION_TYPE_BY_ENUM: Record<number, ExecutionType | undefined> = { 1: 'request', 2: 'response', 3: 'event', 4: 'function' };

/** A validated search query as a list filter. */
export function executionFilterFromDto(dto: ExecutionSearchQueryDto, index: number): ExecutionFilter {
  if (dto.inConditionsQuery) return { kind: 'inConditions', conditions: dto.inConditionsQuery.conditions.map(conditionFromDto) };
  if (dto.executionTypeQuery) {
    const executionType = EXECUTION_TYPE_BY_ENUM[parseProtoEnum(EXECUTION_TYPES, dto.executionTypeQuery.executionType) ?? 0];
    if (!executionType) throw invalidRequest(`queries.${index}.executionTypeQuery.executionType must name an execution type`);
    return { kind: 'executionType', executionType };
  }
  if (dto.targetQuery) return { kind: 'target', targetId: dto.targetQuery.targetId };
  return { kind: 'include', include: conditionFromDto(dto.includeQuery!.include) };
}

export interface ExecutionJson {
  Condition: ConditionJson;
  details: DetailsJson;
  targets: ({ target: string } | { include: ConditionJson })[];
}

/** An execution in its protobuf JSON form (condition spelled `Condition`). */
export const executionJson = (execution: ExecutionView): ExecutionJson => ({
  Condition: conditionToJson(execution.condition),
  details: detailsJson(execution.details),
  targets: execution.targets.map((entry) => ('target' in entry ? { target: entry.target } : { include: conditionToJson(entry.include) })),
});
