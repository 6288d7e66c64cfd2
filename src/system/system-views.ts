/**
 * The JSON the operations endpoints (`/system/v1`) answer with: the controllers return these, and
 * the web console reads them with `import type`. Only plain types, importing nothing but other
 * import-free modules, so the console's compiler can follow them without the service's frameworks.
 * system-docs.ts documents them with schemas checked against these types (objectSchema<T>).
 */
import type { RebuildPhase } from '../../libs/eventsourcing/src/projections/rebuild/rebuild-progress';
import type { DeliveryView } from '../runtime/deliveries/delivery-json';

/** A rebuild, as the status endpoint shows it. */
export interface RebuildJob {
  projection: string;
  state: 'running' | 'done' | 'failed';
  phase: RebuildPhase;
  /** Events of the projection's types reduced so far, and in the log when it started. */
  done: number;
  total: number;
  eventsPerSecond: number;
  etaSeconds: number | null;
  /** ISO-8601 UTC, as every timestamp of the read model. */
  startedAt: string;
  finishedAt: string | null;
  /** The live checkpoint after the switch, once done. */
  position: number | null;
  error: string | null;
}

/** A projection as the operations page shows it. */
export interface ProjectionView {
  name: string;
  position: number;
  /** Events stored after the checkpoint, counted up to LAG_COUNT_CAP. */
  lagEvents: number;
  /** `rebuilding` while a rebuild started on any replica runs, `failing` after failed batches, else `live`. */
  status: 'live' | 'failing' | 'rebuilding';
  eventsProcessed: number;
  lastEventAt: string | null;
  lastError: string | null;
  rebuild: RebuildJob | null;
}

/** `GET /system/v1/projections`. */
export interface ProjectionList {
  headPosition: number;
  projections: ProjectionView[];
}

/** A subscriber as operators see it (this endpoint, `/readyz`, `/metrics`): lag counted in events, not positions. */
export interface SubscriberReport {
  name: string;
  position: number;
  /** Events after the checkpoint, counted up to LAG_COUNT_CAP. */
  lagEvents: number;
  /** The runner (`host:pid:random`) holding an unexpired lease, or null while none does. */
  leaseHolder: string | null;
  leaseUntil: string | null;
  /** This replica holds the lease. */
  heldHere: boolean;
  failedEvents: number;
}

/** `GET /system/v1/subscribers`. */
export interface SubscriberList {
  subscribers: SubscriberReport[];
}

/** A parked event as the API shows it: ids as strings, like every id of the API. */
export interface FailedEventView {
  id: string;
  subscriber: string;
  position: number;
  type: string;
  stream: string;
  attempts: number;
  error: string;
  firstFailedAt: string;
  lastFailedAt: string;
  status: string;
}

/** `GET /system/v1/subscribers/failed-events`. */
export interface FailedEventList {
  failedEvents: FailedEventView[];
}

/** `POST /system/v1/subscribers/failed-events/{id}/retry`: whether the handler took it this time, and the event after. */
export interface FailedEventRetry {
  resolved: boolean;
  failedEvent: FailedEventView;
}

/** A parked delivery of any instance, so it says which. */
export type ParkedDeliveryView = DeliveryView & { instanceId: string };

/** `GET /system/v1/deliveries`. */
export interface ParkedDeliveryList {
  deliveries: ParkedDeliveryView[];
}

/** `POST /system/v1/deliveries/{id}/retry`. */
export interface DeliveryRetry {
  retried: string;
}
