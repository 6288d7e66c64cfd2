import { detailsJson, type DetailsJson } from '../../common/http/json-output';
import { formatDuration, parseDuration } from '../../common/json/duration';
import { invalidRequest } from '../../common/errors/http-error-ids';
import { parseProtoEnum } from '../../common/validation/decorators';
import { TargetType } from '../domain/target-events';
import type { TargetSpec } from '../domain/target-rules';
import type { TargetFilter, TargetSortField, TargetView, TextMatch } from '../queries/target.view';
import { TARGET_FIELD_NAMES, TEXT_QUERY_METHODS, type ListTargetsDto, type UpdateTargetDto } from './target.dto';

export interface TargetJson {
  targetId: string;
  details: DetailsJson;
  name: string;
  restWebhook?: { interruptOnError: boolean };
  restCall?: { interruptOnError: boolean };
  restAsync?: Record<string, never>;
  timeout: string;
  endpoint: string;
}

/** The fields a validated create/update body states (absent ones stay absent). */
export function targetSpecFromDto(dto: UpdateTargetDto): Partial<TargetSpec> {
  const spec: Partial<TargetSpec> = {};
  if (dto.name !== undefined) spec.name = dto.name;
  if (dto.endpoint !== undefined) spec.endpoint = dto.endpoint;
  if (dto.timeout !== undefined) {
    const parsed = parseDuration(dto.timeout);
    if (!parsed.ok) throw invalidRequest(`timeout ${parsed.reason}`);
    spec.timeout = parsed.nanos;
  }
  if (dto.restWebhook) Object.assign(spec, { targetType: TargetType.Webhook, interruptOnError: dto.restWebhook.interruptOnError ?? false });
  else if (dto.restCall) Object.assign(spec, { targetType: TargetType.Call, interruptOnError: dto.restCall.interruptOnError ?? false });
  else if (dto.restAsync) Object.assign(spec, { targetType: TargetType.Async, interruptOnError: false });
  return spec;
}

export function targetJson(target: TargetView): TargetJson {
  const type =
    target.targetType === TargetType.Webhook
      ? { restWebhook: { interruptOnError: target.interruptOnError } }
      : target.targetType === TargetType.Call
        ? { restCall: { interruptOnError: target.interruptOnError } }
        : { restAsync: {} };
  return {
    targetId: target.id,
    details: detailsJson(target.details),
    name: target.name,
    ...type,
    timeout: formatDuration(target.timeout),
    endpoint: target.endpoint,
  };
}

const PREFIX_LENGTH = 'TEXT_QUERY_METHOD_'.length;

export function targetFiltersFromDto(dto: ListTargetsDto): TargetFilter[] {
  return (dto.queries ?? []).map((query): TargetFilter => {
    if (query.inTargetIdsQuery) return { kind: 'ids', ids: query.inTargetIdsQuery.targetIds };
    const { targetName, method } = query.targetNameQuery!;
    const match = TEXT_QUERY_METHODS[parseProtoEnum(TEXT_QUERY_METHODS, method ?? 0) ?? 0].slice(PREFIX_LENGTH) as TextMatch;
    return { kind: 'name', name: targetName, match };
  });
}

export function sortFieldFromDto(dto: ListTargetsDto): { sortBy: TargetSortField; sortingColumn: string } {
  const sortingColumn = TARGET_FIELD_NAMES[parseProtoEnum(TARGET_FIELD_NAMES, dto.sortingColumn ?? 0) ?? 0];
  return { sortingColumn, sortBy: sortingColumn.slice('TARGET_FIELD_NAME_'.length) as TargetSortField };
}
