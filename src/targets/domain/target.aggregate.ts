import { EventSourcedAggregate, type AggregateDescriptor } from '@app/eventsourcing';
import type { StoredEvent } from '@app/event-store';
import type { EncryptedSecret } from '../../common/crypto/encrypted-secret';
import { streamName } from '../../common/domain/stream-name';
import { TargetErrors } from './target-errors';
import { TARGET_ADDED, TARGET_CHANGED, TARGET_REMOVED, type TargetEvent, type TargetFields, toTargetEvent } from './target-events';
import { checkNewTarget, checkTargetChange, interruptsOnError, type TargetSpec } from './target-rules';

const FIELD_NAMES = ['name', 'targetType', 'endpoint', 'timeout', 'interruptOnError'] as const;

export class TargetAggregate extends EventSourcedAggregate<TargetEvent> {
  private fields: TargetFields | undefined;
  private sealedKey: EncryptedSecret | undefined;

  constructor(id: string) {
    super(id);
  }

  get exists(): boolean {
    return this.fields !== undefined;
  }

  /** Current settings; undefined when the target does not exist. */
  get state(): Readonly<TargetFields> | undefined {
    return this.fields;
  }

  /** The sealed signing key; undefined for a missing target or one added before keys existed. */
  get signingKey(): EncryptedSecret | undefined {
    return this.fields ? this.sealedKey : undefined;
  }

  /** `signingKey` is a fresh key (see newSigningKey), sealed: the domain never sees it in clear. */
  add(spec: Partial<TargetSpec>, signingKey: EncryptedSecret): void {
    if (this.version >= 0) throw new Error(`Target ${this.id} was already added`);
    checkNewTarget(spec);
    this.raise({ type: TARGET_ADDED, data: { ...spec, interruptOnError: interruptsOnError(spec.targetType, spec.interruptOnError), signingKey } });
  }

  /** Replaces the signing key (a rotation, or the first key of a target added before keys existed). */
  setSigningKey(signingKey: EncryptedSecret): void {
    if (!this.fields) throw TargetErrors.notFound();
    this.raise({ type: TARGET_CHANGED, data: { signingKey } });
  }

  /** Records only what differs from the current state; no event when nothing does. */
  change(change: Partial<TargetSpec>): void {
    const current = this.fields;
    if (!current) throw TargetErrors.notFound();
    checkTargetChange(change);
    const next: TargetFields = { ...current, ...change };
    next.interruptOnError = interruptsOnError(next.targetType, next.interruptOnError);
    const changed: Partial<TargetFields> = {};
    for (const field of FIELD_NAMES) {
      if (next[field] !== current[field]) Object.assign(changed, { [field]: next[field] });
    }
    if (Object.keys(changed).length > 0) this.raise({ type: TARGET_CHANGED, data: changed });
  }

  remove(): void {
    if (!this.fields) throw TargetErrors.notFoundOnDelete();
    this.raise({ type: TARGET_REMOVED, data: {} });
  }

  protected apply(event: TargetEvent): void {
    switch (event.type) {
      case TARGET_ADDED: {
        const { signingKey, ...fields } = event.data;
        this.fields = fields;
        this.sealedKey = signingKey;
        break;
      }
      case TARGET_CHANGED: {
        const { signingKey, ...fields } = event.data;
        if (this.fields) this.fields = { ...this.fields, ...fields };
        if (signingKey !== undefined) this.sealedKey = signingKey;
        break;
      }
      case TARGET_REMOVED:
        this.fields = undefined;
        this.sealedKey = undefined;
        break;
    }
  }
}

export const targetDescriptor: AggregateDescriptor<TargetAggregate, TargetEvent> = {
  streamName: (instance, id) => streamName('target', instance, id),
  create: (id) => new TargetAggregate(id),
  toDomainEvent: (event: StoredEvent) => toTargetEvent(event.type, event.data),
};
