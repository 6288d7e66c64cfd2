import type { DomainEvent } from '@app/eventsourcing';
import { readEncryptedSecret, type EncryptedSecret } from '../../common/crypto/encrypted-secret';

export const TARGET_ADDED = 'target.added';
export const TARGET_CHANGED = 'target.changed';
export const TARGET_REMOVED = 'target.removed';
export const targetEventTypes = [TARGET_ADDED, TARGET_CHANGED, TARGET_REMOVED] as const;

/** How a target is called, numbered as in the stored events. */
export enum TargetType {
  Webhook = 1,
  Call = 2,
  Async = 3,
}

/** Payload of `target.added`; `timeout` in nanoseconds. */
export type TargetFields = {
  name: string;
  targetType: TargetType;
  endpoint: string;
  timeout: number;
  interruptOnError: boolean;
};

/**
 * The target's signing key, sealed (see SecretBox): set at creation, by a rotation, or on first
 * need for a target added before keys existed (then absent from its `target.added`).
 */
export type SigningKeyField = { signingKey?: EncryptedSecret };

export type TargetAddedEvent = DomainEvent<typeof TARGET_ADDED, TargetFields & SigningKeyField>;
/** Carries only the fields that changed. */
export type TargetChangedEvent = DomainEvent<typeof TARGET_CHANGED, Partial<TargetFields> & SigningKeyField>;
export type TargetRemovedEvent = DomainEvent<typeof TARGET_REMOVED, Record<string, never>>;
export type TargetEvent = TargetAddedEvent | TargetChangedEvent | TargetRemovedEvent;

const isTargetType = (value: unknown): value is TargetType =>
  value === TargetType.Webhook || value === TargetType.Call || value === TargetType.Async;

/** Keeps the known, well-typed fields of a stored payload. */
export function readTargetFields(data: unknown): Partial<TargetFields> {
  const raw = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const fields: Partial<TargetFields> = {};
  if (typeof raw.name === 'string') fields.name = raw.name;
  if (isTargetType(raw.targetType)) fields.targetType = raw.targetType;
  if (typeof raw.endpoint === 'string') fields.endpoint = raw.endpoint;
  if (typeof raw.timeout === 'number') fields.timeout = raw.timeout;
  if (typeof raw.interruptOnError === 'boolean') fields.interruptOnError = raw.interruptOnError;
  return fields;
}

function readSigningKey(data: unknown): SigningKeyField {
  const signingKey = readEncryptedSecret((data as { signingKey?: unknown } | null | undefined)?.signingKey);
  return signingKey === undefined ? {} : { signingKey };
}

export function toTargetEvent(type: string, data: unknown): TargetEvent | undefined {
  switch (type) {
    case TARGET_ADDED: {
      const fields = readTargetFields(data);
      const { name, targetType, endpoint, timeout, interruptOnError = false } = fields;
      if (name === undefined || targetType === undefined || endpoint === undefined || timeout === undefined) return undefined;
      return { type, data: { name, targetType, endpoint, timeout, interruptOnError, ...readSigningKey(data) } };
    }
    case TARGET_CHANGED:
      return { type, data: { ...readTargetFields(data), ...readSigningKey(data) } };
    case TARGET_REMOVED:
      return { type, data: {} };
    default:
      return undefined;
  }
}
