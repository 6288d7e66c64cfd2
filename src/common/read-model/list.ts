import type { EntityManager, EntitySchema } from 'typeorm';
import { invalidArgument } from '../errors/api-error';
import { tenantProgress, type TenantProgressRow } from './tenant-progress';

export interface ListDetails {
  totalResult: number;
  /** Events of the caller's instance the projection has reduced (its own, never another's). */
  processedSequence: number;
  /** Creation time of the last of them; absent before the projection reduced any. */
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

/** The details of a list of `instance`'s rows: how far the projection has reduced that instance's events. */
export async function listDetails(manager: EntityManager, progress: EntitySchema<TenantProgressRow>, instance: string, totalResult: number): Promise<ListDetails> {
  return { totalResult, ...(await tenantProgress(manager, progress, instance)) };
}
