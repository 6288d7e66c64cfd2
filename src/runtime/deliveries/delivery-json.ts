/**
 * A delivery as the API and the command line show it. Free of imports (the table's entity pulls
 * in TypeORM), so the web console type-checks against this declaration too.
 */

/** `pending` (waiting, retrying or in flight), `delivered`, `parked` (attempts used up), `dropped` (too old, or its target removed). */
export type DeliveryState = 'pending' | 'delivered' | 'parked' | 'dropped';

/** One delivery; never the body. Ids as strings, like every id of the API. */
export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  targetId: string;
  state: DeliveryState;
  attempts: number;
  /** Why the last attempt failed; absent before any attempt failed. */
  lastError?: string;
  createdAt: string;
  /** Earliest next attempt, only while pending. */
  nextAttemptAt?: string;
}

/** `GET /runtime/v1/deliveries`. */
export interface DeliveryList {
  deliveries: DeliveryView[];
}
