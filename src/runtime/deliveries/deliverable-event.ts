import type { StoredEvent } from '@app/event-store';
import { eventCallBody } from '../domain/call-bodies';
import { toPublishedEvent, type PublishedEvent } from '../domain/published-event';

/** The aggregates whose events event executions run on (spec §2), by stream category; name reservations are bookkeeping. */
const OWN_AGGREGATES = new Set(['target', 'execution']);

/** An event as event executions see it: which instance, which id, which type, and the body its targets get. */
export interface DeliverableEvent {
  instanceId: string;
  eventId: string;
  eventType: string;
  /** Built when asked for: most events match no event execution, and then nobody needs it. */
  body(): string;
}

/**
 * A stored event as event executions see it, or undefined when none apply to it (other
 * internal events, or a published event whose data is not the published shape).
 */
export function deliverableEvent(event: StoredEvent): DeliverableEvent | undefined {
  // A published event is matched and delivered by its inner type, never as runtime.event.published.
  const published = toPublishedEvent(event.type, event.data);
  if (published !== undefined) {
    if (typeof published.id !== 'string' || typeof published.eventType !== 'string' || published.eventType === '') return undefined;
    return { instanceId: event.tenant, eventId: published.id, eventType: published.eventType, body: () => JSON.stringify(eventCallBody(event.tenant, published)) };
  }
  if (!OWN_AGGREGATES.has(event.stream.split(':')[0]!)) return undefined;
  return { instanceId: event.tenant, eventId: event.id, eventType: event.type, body: () => JSON.stringify(eventCallBody(event.tenant, ownEventAsPublished(event))) };
}

/** RFC 3339 with nanoseconds (the store keeps milliseconds). */
export function rfc3339Nanos(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/**
 * The service's own event in the published shape: its stream names the aggregate (category,
 * then instance, then id), the sequence counts from 1 as `details.sequence` does, and the
 * sealed signing key of target events stays out of the payload.
 */
function ownEventAsPublished(event: StoredEvent): PublishedEvent {
  const [category = event.stream, ...parts] = event.stream.split(':').map(decodePart);
  const { signingKey: _sealed, ...payload } = event.data;
  const actor = event.metadata.actor;
  return {
    id: event.id,
    aggregateId: parts[parts.length - 1] ?? event.stream,
    aggregateType: category,
    resourceOwner: event.tenant,
    sequence: event.revision + 1,
    eventType: event.type,
    createdAt: rfc3339Nanos(event.createdAt),
    ...(typeof actor === 'string' && { userId: actor }),
    payload,
  };
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
