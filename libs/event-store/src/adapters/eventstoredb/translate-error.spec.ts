import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, InvalidAppendError, WrongExpectedRevisionError } from '../../errors';
import { translateError } from './translate-error';

/** gRPC status codes used below. */
const status = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, PERMISSION_DENIED: 7, INTERNAL: 13, UNAVAILABLE: 14 } as const;

type ServiceError = NonNullable<ConstructorParameters<typeof UnavailableError>[0]>;

/** A gRPC ServiceError with what the client library reads of it: code, details, metadata map. */
function serviceError(code: number, details: string, metadata: Record<string, string> = {}): ServiceError {
  const error = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: { getMap: () => metadata } });
  return error as unknown as ServiceError;
}

const context = { operation: 'append to "order-1"', stream: 'order-1', expected: 4 };

describe('translating EventStoreDB client errors', () => {
  it('turns a wrong expected version into the port error with the caller expectation and the actual revision', () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 'order-1', expected: 4n, current: 6n });
    const translated = translateError(error, context);
    expect(translated).toBeInstanceOf(WrongExpectedRevisionError);
    expect(translated).toMatchObject({ stream: 'order-1', expected: 4, actual: 6 });

    const missing = new WrongExpectedVersionError(undefined, { streamName: 'order-1', expected: 'stream_exists', current: 'no_stream' });
    expect(translateError(missing, { ...context, expected: 'stream_exists' })).toMatchObject({ expected: 'stream_exists', actual: 'no_stream' });
  });

  it.each([
    ['unavailable', new UnavailableError(serviceError(status.UNAVAILABLE, 'No connection established'))],
    ['deadline exceeded', new DeadlineExceededError(serviceError(status.DEADLINE_EXCEEDED, 'Deadline exceeded'))],
    ['cancelled by the server', new CancelledError(serviceError(status.CANCELLED, 'Server shutting down'))],
    ['not the leader', new NotLeaderError(serviceError(status.NOT_FOUND, 'Leader info available', { exception: 'not-leader', 'leader-endpoint-host': '10.0.0.2', 'leader-endpoint-port': '2113' }))],
    ['access denied', new AccessDeniedError(serviceError(status.PERMISSION_DENIED, 'Access denied'))],
    ['failed cluster discovery', new Error('Failed to discover after 10 attempts.')],
    // The server-features lookup before an append rejects with the raw gRPC error.
    ['a raw gRPC UNAVAILABLE', serviceError(status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2113')],
  ] as [string, Error][])('reports %s as EventStoreUnavailableError, keeping the cause', (_name, error) => {
    const translated = translateError(error, context);
    expect(translated).toBeInstanceOf(EventStoreUnavailableError);
    expect((translated as EventStoreUnavailableError).cause).toMatchObject({ message: error.message });
    expect((translated as Error).message).toContain('append to "order-1"');
  });

  it('refuses what the server cannot store as an invalid append', () => {
    expect(translateError(MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576), context)).toBeInstanceOf(InvalidAppendError);
    expect(translateError(StreamDeletedError.fromStreamName('order-1'), context)).toBeInstanceOf(InvalidAppendError);
  });

  it('passes errors that mean nothing to the port through unchanged', () => {
    const unknown = new UnknownError(serviceError(status.INTERNAL, 'boom'));
    expect(translateError(unknown, context)).toBe(unknown);
    const bug = new TypeError('not a function');
    expect(translateError(bug, context)).toBe(bug);
  });
});
