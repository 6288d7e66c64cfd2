import { EventSourcedAggregate, type AggregateDescriptor, type DomainEvent } from '@app/eventsourcing';
import type { StoredEvent } from '@app/event-store';
import { streamName } from '../../common/domain/stream-name';
import { TargetErrors } from './target-errors';

export const TARGET_NAME_RESERVED = 'target.name.reserved';
export const TARGET_NAME_RELEASED = 'target.name.released';

export type TargetNameEvent =
  | DomainEvent<typeof TARGET_NAME_RESERVED, { targetId: string }>
  | DomainEvent<typeof TARGET_NAME_RELEASED, { targetId: string }>;

/**
 * Target names are unique per instance. The rule is kept on the write side, in one stream per
 * (instance, name): two concurrent creates with one name both append to that stream with the
 * same expected revision, so exactly one wins, whatever the read model has seen yet.
 */
export class TargetNameReservation extends EventSourcedAggregate<TargetNameEvent> {
  private holder: string | undefined;

  constructor(name: string) {
    super(name);
  }

  /** The target holding the name, if any. */
  get heldBy(): string | undefined {
    return this.holder;
  }

  reserve(targetId: string): void {
    if (this.holder === targetId) return;
    if (this.holder !== undefined) throw TargetErrors.nameTaken();
    this.raise({ type: TARGET_NAME_RESERVED, data: { targetId } });
  }

  /** Releases the name if `targetId` holds it (a no-op otherwise, so releasing is safe to repeat). */
  release(targetId: string): void {
    if (this.holder === targetId) this.raise({ type: TARGET_NAME_RELEASED, data: { targetId } });
  }

  protected apply(event: TargetNameEvent): void {
    this.holder = event.type === TARGET_NAME_RESERVED ? event.data.targetId : undefined;
  }
}

function toNameEvent(event: StoredEvent): TargetNameEvent | undefined {
  const targetId = event.data.targetId;
  if (typeof targetId !== 'string') return undefined;
  if (event.type === TARGET_NAME_RESERVED || event.type === TARGET_NAME_RELEASED) return { type: event.type, data: { targetId } };
  return undefined;
}

export const targetNameDescriptor: AggregateDescriptor<TargetNameReservation, TargetNameEvent> = {
  streamName: (instance, name) => streamName('target-name', instance, name),
  create: (name) => new TargetNameReservation(name),
  toDomainEvent: toNameEvent,
};
