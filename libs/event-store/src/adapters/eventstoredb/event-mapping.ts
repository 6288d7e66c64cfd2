import type { JSONEventData, RecordedEvent } from '@eventstore/db-client';
import type { PreparedEvent } from '../../contract/append-rules';
import type { EventMetadata, JsonObject, StoredEvent } from '../../types';
import { eventPosition, type LogPosition } from './positions';

/**
 * What this adapter writes as an event's EventStoreDB metadata. The caller's metadata is kept
 * whole under `metadata` so no key of it can collide with the tenant; correlation and causation
 * ids are repeated under EventStoreDB's own `$correlationId`/`$causationId` names so the
 * server's `$by_correlation_id` projection and its UI understand them.
 */
// A type alias (not an interface) so it satisfies the client's `Record<string, unknown>` metadata type.
export type StoredMetadataEnvelope = {
  tenant: string;
  metadata: EventMetadata;
  /**
   * ISO-8601 time of an imported event in the store it came from. The server stamps `created`
   * itself and cannot be told otherwise, so the original time travels here and reads report it.
   */
  originalCreatedAt?: string;
  $correlationId?: string;
  $causationId?: string;
};

/** The client library's shape of an event to append. */
export type EsdbEventData = JSONEventData<{ type: string; data: JsonObject; metadata: StoredMetadataEnvelope }>;

export function toEventData(event: PreparedEvent, originalCreatedAt?: Date): EsdbEventData {
  const envelope: StoredMetadataEnvelope = { tenant: event.tenant, metadata: event.metadata };
  if (originalCreatedAt) envelope.originalCreatedAt = originalCreatedAt.toISOString();
  if (typeof event.metadata.correlationId === 'string') envelope.$correlationId = event.metadata.correlationId;
  if (typeof event.metadata.causationId === 'string') envelope.$causationId = event.metadata.causationId;
  return { id: event.id, contentType: 'application/json', type: event.type, data: event.data, metadata: envelope };
}

/** A recorded event whose `$all` position is known (all reads of `$all`, and stream reads on 22.6+). */
export type PositionedRecordedEvent = RecordedEvent & { position: LogPosition };

export function hasPosition(event: RecordedEvent): event is PositionedRecordedEvent {
  return event.position !== undefined;
}

/**
 * Maps an event read from EventStoreDB. Events written by something else than this adapter
 * (no envelope) keep their metadata object as it is and get an empty tenant; non-JSON payloads
 * become `{}` because the port only carries JSON objects.
 */
export function toStoredEvent(event: PositionedRecordedEvent): StoredEvent {
  const { tenant, metadata, originalCreatedAt } = unwrapMetadata(event.metadata);
  return {
    id: event.id,
    stream: event.streamId,
    type: event.type,
    revision: Number(event.revision),
    position: eventPosition(event.position),
    data: event.isJson && isJsonObject(event.data) ? event.data : {},
    metadata,
    tenant,
    createdAt: originalCreatedAt ?? event.created,
  };
}

function unwrapMetadata(raw: unknown): { tenant: string; metadata: EventMetadata; originalCreatedAt?: Date } {
  if (!isJsonObject(raw)) return { tenant: '', metadata: {} };
  if (typeof raw.tenant === 'string' && isJsonObject(raw.metadata)) {
    const original = typeof raw.originalCreatedAt === 'string' ? new Date(raw.originalCreatedAt) : undefined;
    return { tenant: raw.tenant, metadata: raw.metadata, ...(original && !Number.isNaN(original.getTime()) && { originalCreatedAt: original }) };
  }
  return { tenant: '', metadata: raw };
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
