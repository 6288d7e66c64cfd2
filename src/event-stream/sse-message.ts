import type { JsonValue, StoredEvent } from '@app/event-store';
import { streamParts } from '../common/domain/stream-name';
import { formatInt64 } from '../common/json/int64';
import { originalCreatedAt } from '../persistence/original-timestamps';

/** Metadata keys external subscribers may see; anything else is the service's own business. */
const PUBLIC_METADATA = ['correlationId', 'causationId', 'actor'] as const;

/** Stream categories whose names are `<category>:<instance>:<aggregate id>`. */
const AGGREGATE_TYPES = new Set(['execution', 'target']);

export interface EventMessageJson {
  id: string;
  type: string;
  stream: string;
  aggregate?: { type: string; id: string; resourceOwner: string };
  /** 0-based position in the stream. */
  revision: number;
  /** revision + 1, the `sequence` of the API's Details (int64 as a string). */
  sequence: string;
  /** The message's SSE id: an opaque cursor (see EventCursors), what Last-Event-ID sends back. */
  cursor: string;
  createdAt: string;
  data: JsonValue;
  metadata: Record<string, JsonValue>;
}

export function eventMessageJson(event: StoredEvent, cursor: string): EventMessageJson {
  const [category] = event.stream.split(':', 1);
  const parts = AGGREGATE_TYPES.has(category) ? streamParts(category, event.stream) : undefined;
  const metadata: Record<string, JsonValue> = {};
  for (const key of PUBLIC_METADATA) {
    const value = event.metadata[key];
    if (value !== undefined) metadata[key] = value;
  }
  return {
    id: event.id,
    type: event.type,
    stream: event.stream,
    ...(parts?.length === 2 ? { aggregate: { type: category, id: parts[1], resourceOwner: parts[0] } } : {}),
    revision: event.revision,
    sequence: formatInt64(event.revision + 1),
    cursor,
    createdAt: originalCreatedAt(event).toISOString(),
    data: event.data,
    metadata,
  };
}

/**
 * One Server-Sent Events message: `id` the event's cursor (what a reconnecting client sends
 * back as Last-Event-ID), `event` the event type, `data` the JSON on one line (JSON.stringify
 * escapes every line break, so the message cannot be split or forged by its content).
 */
export function sseMessage(event: StoredEvent, cursor: string): string {
  return `id: ${cursor}\nevent: ${event.type.replace(/[\r\n]/g, ' ')}\ndata: ${JSON.stringify(eventMessageJson(event, cursor))}\n\n`;
}

/** A comment line: ignored by clients, but traffic that keeps proxies from closing an idle stream. */
export const SSE_HEARTBEAT = ': keep-alive\n\n';
