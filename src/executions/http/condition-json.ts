import type { Condition } from '../domain/condition';
import type { ConditionDto, EventConditionDto, RequestConditionDto } from './condition.dto';

/** A validated DTO (exactly one branch set) as a domain condition. */
export function conditionFromDto(dto: ConditionDto): Condition {
  if (dto.request) return requestCondition('request', dto.request);
  if (dto.response) return requestCondition('response', dto.response);
  if (dto.function) return { type: 'function', match: 'name', value: dto.function.name };
  return eventCondition(dto.event as EventConditionDto);
}

function requestCondition(type: 'request' | 'response', dto: RequestConditionDto): Condition {
  if (dto.method !== undefined) return { type, match: 'method', value: dto.method };
  if (dto.service !== undefined) return { type, match: 'service', value: dto.service };
  return { type, match: 'all' };
}

function eventCondition(dto: EventConditionDto): Condition {
  if (dto.event !== undefined) return { type: 'event', match: 'event', value: dto.event };
  if (dto.group !== undefined) return { type: 'event', match: 'group', value: dto.group };
  return { type: 'event', match: 'all' };
}

export type ConditionJson =
  | { request: Record<string, string | boolean> }
  | { response: Record<string, string | boolean> }
  | { function: { name: string } }
  | { event: Record<string, string | boolean> };

/** The protobuf JSON of a condition. */
export function conditionToJson(condition: Condition): ConditionJson {
  const inner = condition.match === 'all' ? { all: true } : { [condition.match]: condition.value };
  switch (condition.type) {
    case 'request':
      return { request: inner };
    case 'response':
      return { response: inner };
    case 'function':
      return { function: { name: condition.value } };
    case 'event':
      return { event: inner };
  }
}
