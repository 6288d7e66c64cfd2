import type { ObjectDetails } from '../domain/object-details';
import { formatInt64 } from '../json/int64';
import type { ListDetails } from '../read-model/list';

export interface DetailsJson {
  sequence: string;
  changeDate: string;
  resourceOwner: string;
}

export interface ListDetailsJson {
  totalResult: string;
  processedSequence: string;
  timestamp?: string;
}

/** RFC 3339 UTC with milliseconds, as protobuf JSON timestamps. */
export const timestampJson = (date: Date): string => date.toISOString();

export const detailsJson = (details: ObjectDetails): DetailsJson => ({
  sequence: formatInt64(details.sequence),
  changeDate: timestampJson(details.changeDate),
  resourceOwner: details.resourceOwner,
});

export const listDetailsJson = (details: ListDetails): ListDetailsJson => ({
  totalResult: formatInt64(details.totalResult),
  processedSequence: formatInt64(details.processedSequence),
  ...(details.timestamp ? { timestamp: timestampJson(details.timestamp) } : {}),
});
