import type { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import { invalidArgument } from '../errors/api-error';

export interface ListDetails {
  totalResult: number;
  /** Global position of the last event the projection reduced. */
  processedSequence: number;
  /** Creation time of that event; absent before the projection reduced anything. */
  timestamp?: Date;
}

export interface Page {
  offset: number;
  limit: number;
  asc: boolean;
}

export interface ListResult<T> {
  details: ListDetails;
  result: T[];
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** A limit of 0 (the protobuf default) means "the default"; larger than the maximum is capped. */
export const pageOf = (offset = 0, limit = 0, asc = false): Page => ({
  offset,
  limit: limit <= 0 ? DEFAULT_LIMIT : Math.min(limit, MAX_LIMIT),
  asc,
});

/**
 * As {@link pageOf}, but a limit above the maximum is refused (3 QUERY-4M0fs) instead of capped,
 * as ZITADEL's v2 lists do.
 */
export function pageWithinLimit(offset = 0, limit = 0, asc = false): Page {
  if (limit > MAX_LIMIT) throw invalidArgument('QUERY-4M0fs', `limit must be at most ${MAX_LIMIT}`);
  return pageOf(offset, limit, asc);
}

export async function listDetails(engine: ProjectionEngine, projection: string, totalResult: number): Promise<ListDetails> {
  const status = await engine.status();
  const state = status.projections.find((candidate) => candidate.name === projection);
  return {
    totalResult,
    processedSequence: state?.position ?? 0,
    ...(state?.lastEventAt ? { timestamp: state.lastEventAt } : {}),
  };
}
