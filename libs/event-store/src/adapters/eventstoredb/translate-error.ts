import { convertToCommandError, ErrorType, isCommandError, type CommandError } from '@eventstore/db-client';
import { EventStoreError, EventStoreUnavailableError, InvalidAppendError, WrongExpectedRevisionError } from '../../errors';
import type { ExpectedRevision } from '../../types';

/** What the adapter was doing when the client failed, for the translated error. */
export interface ErrorContext {
  /** Short verb phrase for messages: `append to "s"`, `read $all`... */
  operation: string;
  stream?: string;
  expected?: ExpectedRevision;
}

/** Client error types meaning "the server cannot be used right now", worth retrying later. */
const UNAVAILABLE_TYPES: ReadonlySet<ErrorType> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  // The server cancels calls while it shuts down or changes role.
  ErrorType.CANCELLED,
  // The client reconnects to the leader after this; the next attempt goes there.
  ErrorType.NOT_LEADER,
]);

/**
 * Turns an error of the EventStoreDB client into the port's typed errors. Errors with no
 * meaning for the port (bugs, unexpected server answers) are returned unchanged.
 */
export function translateError(error: unknown, context: ErrorContext): unknown {
  if (error instanceof EventStoreError) return error;
  // Some failures reach us as raw gRPC errors (the server-features lookup before an append).
  const converted = error instanceof Error ? convertToCommandError(error) : error;
  if (converted instanceof Error && isCommandError(converted)) return translateCommandError(converted, context);
  // Cluster discovery gives up with a plain Error when no node answers the gossip request.
  if (error instanceof Error && /^Failed to discover after \d+ attempts/.test(error.message)) {
    return new EventStoreUnavailableError(`EventStoreDB cluster discovery failed during ${context.operation}: ${error.message}`, { cause: error });
  }
  return error;
}

function translateCommandError(error: CommandError, context: ErrorContext): unknown {
  if (UNAVAILABLE_TYPES.has(error.type)) {
    return new EventStoreUnavailableError(`EventStoreDB unavailable during ${context.operation}: ${describe(error)}`, { cause: error });
  }
  switch (error.type) {
    case ErrorType.WRONG_EXPECTED_VERSION: {
      const actual = error.actualVersion === 'no_stream' ? 'no_stream' : Number(error.actualVersion);
      return new WrongExpectedRevisionError(context.stream ?? error.streamName, context.expected ?? 'any', actual);
    }
    case ErrorType.ACCESS_DENIED:
      // Not transient, but from the service's point of view the store is unusable until the
      // credentials are fixed: readiness must fail and writes must answer "unavailable".
      return new EventStoreUnavailableError(
        `EventStoreDB denied access during ${context.operation}: check the credentials in EVENTSTORE_CONNECTION_STRING (${describe(error)})`,
        { cause: error },
      );
    case ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED:
      return new InvalidAppendError(`The append is larger than EventStoreDB accepts (${error.maxAppendSize} bytes)`);
    case ErrorType.STREAM_DELETED:
      return new InvalidAppendError(`Stream "${context.stream ?? error.streamName}" was deleted in EventStoreDB and cannot be written`);
    case ErrorType.INVALID_ARGUMENT:
      return new InvalidAppendError(`EventStoreDB rejected the request during ${context.operation}: ${describe(error)}`);
    default:
      return error;
  }
}

function describe(error: CommandError): string {
  return error.message || error.type;
}
