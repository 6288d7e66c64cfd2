import type { EventMetadata, JsonObject, StoredEvent } from '@app/event-store';
import { originalCreatedAt, withoutImportMarks } from '../../persistence/original-timestamps';

/**
 * One event of an export file (JSON lines, in log order). `position` is where the event stood
 * in the exporting store; an import keeps the order but the target store hands out its own
 * positions. `createdAt` is the original creation time, also for events that were imported.
 */
export interface ExportedEvent {
  id: string;
  stream: string;
  revision: number;
  type: string;
  tenant: string;
  position: number;
  createdAt: string;
  data: JsonObject;
  metadata: EventMetadata;
}

export function exportedEvent(event: StoredEvent): ExportedEvent {
  return {
    id: event.id,
    stream: event.stream,
    revision: event.revision,
    type: event.type,
    tenant: event.tenant,
    position: event.position,
    createdAt: originalCreatedAt(event).toISOString(),
    data: event.data,
    metadata: withoutImportMarks(event.metadata),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses and checks one line of an export file; the message says what is wrong, for `line N:`. */
export function parseExportedEvent(line: string): ExportedEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('not valid JSON');
  }
  if (!isObject(value)) throw new Error('not a JSON object');
  const { id, stream, revision, type, tenant, position, createdAt, data, metadata } = value;
  if (typeof id !== 'string' || !UUID.test(id)) throw new Error('"id" must be a UUID');
  if (typeof stream !== 'string' || stream === '') throw new Error('"stream" must be a non-empty string');
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) throw new Error('"revision" must be a non-negative integer');
  if (typeof type !== 'string' || type === '') throw new Error('"type" must be a non-empty string');
  if (typeof tenant !== 'string') throw new Error('"tenant" must be a string');
  if (typeof position !== 'number' || !Number.isSafeInteger(position)) throw new Error('"position" must be an integer');
  if (typeof createdAt !== 'string' || Number.isNaN(new Date(createdAt).getTime())) throw new Error('"createdAt" must be an ISO-8601 timestamp');
  if (!isObject(data)) throw new Error('"data" must be a JSON object');
  if (!isObject(metadata)) throw new Error('"metadata" must be a JSON object');
  return { id, stream, revision, type, tenant, position, createdAt, data: data as JsonObject, metadata: metadata as EventMetadata };
}
