import { EventStoreUnavailableError, WrongExpectedRevisionError, type AppendOptions, type AppendResult, type EventMetadata, type EventStore, type EventToAppend } from '@app/event-store';
import { ForwardingEventStore } from './forwarding-event-store';

export type AppendOutcome = 'ok' | 'conflict' | 'unavailable' | 'error';

export interface AppendReport {
  outcome: AppendOutcome;
  /** Events in the append (stored only when `ok`). */
  events: number;
  durationMs: number;
}

export interface ContextualEventStoreOptions {
  /**
   * Metadata of the work in progress (correlation and causation ids), merged under each
   * appended event's own metadata: what a command handler sets explicitly wins.
   */
  contextMetadata?: () => EventMetadata | undefined;
  /** Told about every append, for metrics. Must not throw. */
  onAppend?: (report: AppendReport) => void;
}

/**
 * Gives appended events the metadata of the request (or subscriber event) that caused them,
 * without the domain passing it along, and reports each append.
 */
export class ContextualEventStore extends ForwardingEventStore {
  constructor(
    inner: EventStore,
    private readonly options: ContextualEventStoreOptions,
  ) {
    super(inner);
  }

  override async append(stream: string, events: readonly EventToAppend[], appendOptions: AppendOptions): Promise<AppendResult> {
    const context = this.options.contextMetadata?.();
    const enriched = context ? events.map((event) => ({ ...event, metadata: mergeMetadata(context, event.metadata) })) : events;
    const started = performance.now();
    const report = (outcome: AppendOutcome): void => this.options.onAppend?.({ outcome, events: events.length, durationMs: performance.now() - started });
    try {
      const result = await this.inner.append(stream, enriched, appendOptions);
      report('ok');
      return result;
    } catch (error) {
      report(appendOutcome(error));
      throw error;
    }
  }
}

function appendOutcome(error: unknown): AppendOutcome {
  if (error instanceof WrongExpectedRevisionError) return 'conflict';
  if (error instanceof EventStoreUnavailableError) return 'unavailable';
  return 'error';
}

/** The event's own values win; keys it leaves undefined keep the context's. */
function mergeMetadata(context: EventMetadata, own: EventMetadata | undefined): EventMetadata {
  const merged: EventMetadata = { ...context };
  for (const [key, value] of Object.entries(own ?? {})) if (value !== undefined) merged[key] = value;
  return merged;
}
