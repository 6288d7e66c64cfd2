import { ProjectionWaitTimeoutError } from '@app/eventsourcing/projections/errors';
import type { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import { unavailable } from '../common/errors/api-error';
import { currentRequestContext } from '../observability/request/request-context';
import type { AppendTrackingEventStore } from './append-tracking-event-store';

/** Makes a read of the read model see every write that returned before it. */
export class ReadModelSync {
  constructor(
    private readonly engine: ProjectionEngine,
    private readonly store: AppendTrackingEventStore,
  ) {}

  /**
   * Waits until `projection` has reduced every event this process appended, every event the
   * store shows (other replicas' writes), and the position of the consistency token the caller
   * sent (a write answered by any replica). Rejects with 503 code 14 when the store keeps those
   * events out of reach for too long (an open transaction holds the log's read horizon).
   */
  async catchUp(projection: string): Promise<void> {
    const token = currentRequestContext()?.readAfterPosition ?? 0;
    const position = Math.max(this.store.lastAppendPosition, token);
    try {
      await Promise.all([this.engine.catchUp(projection), this.engine.waitForPosition(position, { name: projection })]);
    } catch (error) {
      if (token > 0 && error instanceof ProjectionWaitTimeoutError && error.awaitedPosition === position) {
        throw unavailable('QUERY-g71cg4tmbb', 'The read model has not reached the consistency token in time; retry the read');
      }
      throw error;
    }
  }
}
