import type { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import type { AppendTrackingEventStore } from './append-tracking-event-store';

/** Makes a read of the read model see every write that returned before it. */
export class ReadModelSync {
  constructor(
    private readonly engine: ProjectionEngine,
    private readonly store: AppendTrackingEventStore,
  ) {}

  /**
   * Waits until `projection` has reduced every event this process appended and every event
   * the store shows (other replicas' writes). Rejects with ProjectionWaitTimeoutError (a 503)
   * when the store keeps the events out of reach for too long.
   */
  async catchUp(projection: string): Promise<void> {
    await Promise.all([
      this.engine.catchUp(projection),
      this.engine.waitForPosition(this.store.lastAppendPosition, { name: projection }),
    ]);
  }
}
