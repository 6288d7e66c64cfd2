import type { EventFilter } from '../types';

/**
 * Filter semantics every adapter shares. An event matches when its tenant equals
 * `filter.tenant` (if given) and its type is one of `types` or starts with one of
 * `typePrefixes`. Absent or empty lists put no restriction on the type; when both lists are
 * given, matching either is enough.
 */
export interface NormalizedFilter {
  types: readonly string[];
  typePrefixes: readonly string[];
  tenant: string | undefined;
  /** True when nothing is restricted: every event matches. */
  matchesAll: boolean;
}

export function normalizeFilter(filter: EventFilter | undefined): NormalizedFilter {
  const types = filter?.types ?? [];
  const typePrefixes = filter?.typePrefixes ?? [];
  const tenant = filter?.tenant;
  return { types, typePrefixes, tenant, matchesAll: types.length === 0 && typePrefixes.length === 0 && tenant === undefined };
}

/** Reference implementation of the matching rule (used by tests and in-memory checks). */
export function eventMatches(filter: NormalizedFilter, event: { type: string; tenant: string }): boolean {
  if (filter.tenant !== undefined && event.tenant !== filter.tenant) return false;
  if (filter.types.length === 0 && filter.typePrefixes.length === 0) return true;
  return filter.types.includes(event.type) || filter.typePrefixes.some((prefix) => event.type.startsWith(prefix));
}
