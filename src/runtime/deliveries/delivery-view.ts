import type { DeliveryView } from './delivery-json';
import type { DeliveryRow } from './delivery-tables';

/** A delivery as the API and the command line show it; never the body. */
export function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: String(row.id),
    eventId: row.eventId,
    eventType: row.eventType,
    targetId: row.targetId,
    state: row.state,
    attempts: row.attempts,
    ...(row.lastError !== null && { lastError: row.lastError }),
    createdAt: new Date(row.createdAt).toISOString(),
    ...(row.state === 'pending' && { nextAttemptAt: new Date(row.nextAttemptAt).toISOString() }),
  };
}
