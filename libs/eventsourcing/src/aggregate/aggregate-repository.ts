import type { AppendResult, EventMetadata, EventStore, StoredEvent } from '@app/event-store';
import type { DomainEvent, EventSourcedAggregate } from './aggregate-root';

/** Everything the repository needs to know about one kind of aggregate. */
export interface AggregateDescriptor<TAggregate extends EventSourcedAggregate<TEvent>, TEvent extends DomainEvent> {
  /** Stream that holds the aggregate `id` of instance `tenant`. */
  streamName(tenant: string, id: string): string;
  /** A fresh aggregate with no history. */
  create(id: string): TAggregate;
  /** Maps a stored event to a domain event (the place for upcasting); undefined skips it. */
  toDomainEvent(event: StoredEvent): TEvent | undefined;
  /**
   * Declares that each of the aggregate's events replaces its whole state, so the latest event
   * alone gives it. Loading then reads only that event (falling back to a full replay when it
   * is one `toDomainEvent` skips), and a command costs the same however long the history is.
   */
  stateFromLatestEvent?: boolean;
}

export interface SaveOptions {
  metadata?: EventMetadata;
}

/** Result of a save that stored events. */
export interface SaveResult extends AppendResult {
  /** Number of events stored by this save. */
  count: number;
}

/** Loads aggregates by replaying their stream and saves them with optimistic concurrency. */
export class AggregateRepository<TAggregate extends EventSourcedAggregate<TEvent>, TEvent extends DomainEvent> {
  constructor(
    private readonly store: EventStore,
    private readonly descriptor: AggregateDescriptor<TAggregate, TEvent>,
  ) {}

  async load(tenant: string, id: string): Promise<TAggregate> {
    const aggregate = this.descriptor.create(id);
    const stream = this.descriptor.streamName(tenant, id);
    if (this.descriptor.stateFromLatestEvent) {
      const [latest] = await this.store.readStream(stream, { direction: 'backwards', maxCount: 1 });
      if (!latest) return aggregate;
      const domainEvent = this.descriptor.toDomainEvent(latest);
      if (domainEvent) {
        aggregate.loadFromHistory([domainEvent], latest.revision);
        return aggregate;
      }
    }
    const stored = await this.store.readStream(stream);
    if (stored.length === 0) return aggregate;
    const events: TEvent[] = [];
    for (const event of stored) {
      const domainEvent = this.descriptor.toDomainEvent(event);
      if (domainEvent) events.push(domainEvent);
    }
    aggregate.loadFromHistory(events, stored[stored.length - 1].revision);
    return aggregate;
  }

  /**
   * Appends the aggregate's pending events, expecting the stream to be exactly at the version
   * it was loaded at. Returns undefined when there was nothing to store.
   * Throws WrongExpectedRevisionError when another writer got there first.
   */
  async save(tenant: string, aggregate: TAggregate, options: SaveOptions = {}): Promise<SaveResult | undefined> {
    const pending = aggregate.pendingEvents;
    if (pending.length === 0) return undefined;
    const result = await this.store.append(
      this.descriptor.streamName(tenant, aggregate.id),
      pending.map((event) => ({ type: event.type, data: event.data, tenant, metadata: options.metadata })),
      { expectedRevision: aggregate.version < 0 ? 'no_stream' : aggregate.version },
    );
    aggregate.markCommitted(result.nextExpectedRevision);
    return { ...result, count: pending.length };
  }
}
