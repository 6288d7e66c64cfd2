import type { NormalizedFilter } from '../../contract/filter-rules';

/**
 * A filter EventStoreDB applies while reading `$all`: a .NET regular expression on the event
 * type or on the stream name (the server takes one or the other, not both).
 */
export interface ServerFilter {
  on: 'eventType' | 'streamName';
  regex: string;
}

/**
 * System events (types starting with `$`: statistics, stream metadata, projection output...)
 * belong to the server, never to the port.
 */
export const NON_SYSTEM_EVENTS: ServerFilter = { on: 'eventType', regex: '^[^$]' };

/**
 * The part of `$all` a store sees. Without a stream prefix: every non-system event. With one:
 * only the streams under it (which also leaves out system streams, all named `$...`), so
 * several services or test runs can share one server without seeing each other.
 */
export function viewFilter(streamPrefix: string): ServerFilter {
  return streamPrefix === '' ? NON_SYSTEM_EVENTS : { on: 'streamName', regex: `^${literal(streamPrefix)}` };
}

/**
 * The server-side filter for the filter's types and prefixes (either is enough), system
 * events excluded; undefined when the filter puts no restriction on types.
 */
export function eventTypesFilter(filter: Pick<NormalizedFilter, 'types' | 'typePrefixes'>): ServerFilter | undefined {
  if (filter.types.length === 0 && filter.typePrefixes.length === 0) return undefined;
  const alternatives = [...filter.types.map((type) => `${literal(type)}$`), ...filter.typePrefixes.map(literal)];
  return { on: 'eventType', regex: `^(?!\\$)(?:${alternatives.join('|')})` };
}

/**
 * Escapes every character but ASCII letters, digits and `_` as `\uXXXX` (one UTF-16 unit at a
 * time, which is how .NET matches), so no type or prefix can carry regex syntax into a filter.
 */
export function literal(text: string): string {
  let escaped = '';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    escaped += /[A-Za-z0-9_]/.test(char) ? char : `\\u${text.charCodeAt(index).toString(16).padStart(4, '0')}`;
  }
  return escaped;
}
