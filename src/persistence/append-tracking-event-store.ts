import type { AppendOptions, AppendResult, EventToAppend } from '@app/event-store';
import { noteAppendedPosition } from '../observability/request/request-context';
import { ForwardingEventStore } from './forwarding-event-store';

/**
 * Remembers the global position of the newest append made through this process, so reads of
 * the read model can wait for it: a store's head may trail a write that has already returned
 * (PostgreSQL holds its read horizon behind any older open transaction), and read-your-writes
 * must not depend on that.
 */
export class AppendTrackingEventStore extends ForwardingEventStore {
  private newestAppend = 0;

  /** Position of the newest event appended through this process (0 before any). */
  get lastAppendPosition(): number {
    return this.newestAppend;
  }

  override async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    const result = await this.inner.append(stream, events, options);
    this.newestAppend = Math.max(this.newestAppend, result.position);
    // The answer's consistency token: another replica's reads can wait for this position.
    noteAppendedPosition(result.position);
    return result;
  }
}
