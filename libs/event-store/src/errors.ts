import type { ExpectedRevision } from './types';

/** Base class of every error the event-store port throws on purpose. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
}

/** The stream was not in the state the append expected. Nothing was stored. */
export class WrongExpectedRevisionError extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or 'no_stream' when it has none. */
    readonly actual: number | 'no_stream',
  ) {
    super(`Wrong expected revision on stream "${stream}": expected ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The store cannot be reached or did not answer in time. Safe to retry later. */
export class EventStoreUnavailableError extends EventStoreError {
  readonly code = 'UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/** The caller passed something the store cannot accept (bad id, too many events...). */
export class InvalidAppendError extends EventStoreError {
  readonly code = 'INVALID_APPEND';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAppendError';
  }
}

/**
 * Some of the events' ids are already stored, but not as this exact append (same stream,
 * same revisions, same order), so the append can be neither applied nor treated as a retry.
 */
export class DuplicateEventIdError extends EventStoreError {
  readonly code = 'DUPLICATE_EVENT_ID';
  constructor(readonly eventId: string, readonly stream: string) {
    super(`Event id ${eventId} is already stored elsewhere than in this append to "${stream}"`);
    this.name = 'DuplicateEventIdError';
  }
}

/**
 * An imported event is not the next event of its stream: its revision would leave a gap or
 * reuse a revision that is taken. Nothing of the batch was stored.
 */
export class ImportOutOfOrderError extends EventStoreError {
  readonly code = 'IMPORT_OUT_OF_ORDER';
  constructor(
    readonly eventId: string,
    readonly stream: string,
    /** The revision the event carries. */
    readonly revision: number,
    /** The revision the stream's next event must have (0 for a stream with no events). */
    readonly nextRevision: number,
  ) {
    super(`Event ${eventId} has revision ${revision} of stream "${stream}", but the stream's next revision is ${nextRevision}`);
    this.name = 'ImportOutOfOrderError';
  }
}
