import type { JsonObject, JsonValue } from '@app/event-store';
import { streamName, streamParts } from '../../common/domain/stream-name';

/** The one event PublishEvents stores per published event (spec §4); deliveries are made from it. */
export const RUNTIME_EVENT_PUBLISHED = 'runtime.event.published';

/** Stream category of published events: one stream per (instance, published event id). */
export const PUBLISHED_EVENT_CATEGORY = 'runtime-event';

/** An event a host published, as stored in the data of {@link RUNTIME_EVENT_PUBLISHED}. */
export interface PublishedEvent {
  /** The host's id of the event; PublishEvents stores each id once per instance. */
  id: string;
  aggregateId: string;
  aggregateType: string;
  resourceOwner?: string;
  version?: string;
  sequence: number;
  eventType: string;
  /** RFC 3339, UTC, with nanoseconds (`2024-05-01T10:00:00.123456789Z`). */
  createdAt: string;
  userId?: string;
  /** The JSON the host sent. */
  payload: JsonValue;
}

/**
 * The stream of a published event. Appending to it with expectedRevision `no_stream` makes a
 * repeat of the same id fail instead of storing the event twice.
 */
export const publishedEventStream = (instanceId: string, eventId: string): string => streamName(PUBLISHED_EVENT_CATEGORY, instanceId, eventId);

/** The instance and published event id of a stream built by {@link publishedEventStream}. */
export function publishedEventStreamParts(stream: string): { instanceId: string; eventId: string } | undefined {
  const [instanceId, eventId, ...rest] = streamParts(PUBLISHED_EVENT_CATEGORY, stream) ?? [];
  return instanceId !== undefined && eventId !== undefined && rest.length === 0 ? { instanceId, eventId } : undefined;
}

/** The stored data: optional fields left out rather than stored as null. */
export function publishedEventData(event: PublishedEvent): JsonObject {
  return Object.fromEntries(Object.entries(event).filter(([, value]) => value !== undefined)) as JsonObject;
}

/** Reads the data of a stored {@link RUNTIME_EVENT_PUBLISHED} event; undefined for another type. */
export function toPublishedEvent(type: string, data: JsonObject): PublishedEvent | undefined {
  if (type !== RUNTIME_EVENT_PUBLISHED) return undefined;
  return data as unknown as PublishedEvent;
}
