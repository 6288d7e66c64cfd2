import type { JsonObject } from '@app/event-store';

/** An event as the domain sees it: a type and a JSON payload. */
export interface DomainEvent<TType extends string = string, TData extends JsonObject = JsonObject> {
  readonly type: TType;
  readonly data: TData;
}

/**
 * Base of event-sourced aggregates: state changes only by applying events, new events are
 * kept as pending changes until the repository stores them.
 *
 * `version` is the revision of the last event applied (-1 for an aggregate with no history),
 * which is exactly the expected revision for the next append.
 */
export abstract class EventSourcedAggregate<TEvent extends DomainEvent = DomainEvent> {
  private pending: TEvent[] = [];
  private persistedVersion = -1;

  protected constructor(readonly id: string) {}

  /** Revision of the last stored event this aggregate was built from (-1: none). */
  get version(): number {
    return this.persistedVersion;
  }

  /** Revision the last pending event will get once stored. */
  get nextVersion(): number {
    return this.persistedVersion + this.pending.length;
  }

  get pendingEvents(): readonly TEvent[] {
    return this.pending;
  }

  /** Rebuilds state from stored history. */
  loadFromHistory(events: Iterable<TEvent>, lastRevision: number): void {
    for (const event of events) this.apply(event);
    this.persistedVersion = lastRevision;
  }

  /** Marks pending events as stored at `lastRevision` (called by the repository). */
  markCommitted(lastRevision: number): void {
    this.pending = [];
    this.persistedVersion = lastRevision;
  }

  /** Records a new event: evolves state now, stores it on save. */
  protected raise(event: TEvent): void {
    this.apply(event);
    this.pending.push(event);
  }

  /** Evolves state by one event. Must be pure with respect to anything but `this`. */
  protected abstract apply(event: TEvent): void;
}
