import type { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';

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

export async function listDetails(engine: ProjectionEngine, projection: string, totalResult: number): Promise<ListDetails> {
  const status = await engine.status();
  const state = status.projections.find((candidate) => candidate.name === projection);
  return {
    totalResult,
    processedSequence: state?.position ?? 0,
    ...(state?.lastEventAt ? { timestamp: state.lastEventAt } : {}),
  };
}
