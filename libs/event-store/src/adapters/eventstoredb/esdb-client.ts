import {
  BACKWARDS,
  EventStoreDBClient,
  FORWARDS,
  eventTypeFilter,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult as ClientAppendResult,
  type BaseOptions,
  type GRPCClientConstructor,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import { ReadStream } from '@eventstore/db-client/dist/streams/utils/ReadStream';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq, type ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { ClientReadableStream, Metadata, CallOptions } from '@grpc/grpc-js';
import { EventStoreUnavailableError } from '../../errors';
import type { EsdbEventData } from './event-mapping';
import type { LogPosition } from './positions';
import type { ServerFilter } from './server-filter';

export type ReadDirection = 'forwards' | 'backwards';

export interface EsdbReadStreamOptions {
  from: bigint | 'start' | 'end';
  direction: ReadDirection;
  maxCount?: number;
}

export interface EsdbReadAllOptions {
  from: LogPosition | 'start' | 'end';
  direction: ReadDirection;
  maxCount: number;
  /** Applied by the server; none reads everything. */
  filter?: ServerFilter;
}

export interface EsdbSubscribeOptions {
  /** The subscription delivers the events after this position. */
  after: LogPosition | 'start';
  filter: ServerFilter;
  /** Events the client buffers before it stops reading from the server. */
  bufferSize: number;
}

/** A running `$all` subscription as the adapter consumes it. */
export interface LiveFeed {
  /** Resolves when the server confirmed the subscription; rejects when it failed before. */
  readonly confirmed: Promise<void>;
  /** Ends when the feed is closed; throws when the subscription drops. */
  readonly events: AsyncIterable<AllStreamResolvedEvent>;
  /** Events received and not yet taken from `events`. */
  readonly buffered: number;
  close(): Promise<void>;
}

/**
 * The few EventStoreDB operations the adapter uses. Reads collect their events and stop early
 * when `signal` aborts, so a caller's timeout also frees the underlying call.
 */
export interface EsdbClient {
  appendToStream(stream: string, events: EsdbEventData[], expectedRevision: AppendExpectedRevision, deadlineMs: number): Promise<ClientAppendResult>;
  /** Throws the client's StreamNotFoundError for a stream with no events. */
  readStream(stream: string, options: EsdbReadStreamOptions, signal: AbortSignal): Promise<ResolvedEvent[]>;
  readAll(options: EsdbReadAllOptions, signal: AbortSignal): Promise<AllStreamResolvedEvent[]>;
  subscribeToAll(options: EsdbSubscribeOptions): LiveFeed;
  /** Cancels running calls and closes the connection. */
  close(): Promise<void>;
}

export type EsdbClientFactory = (connectionString: string) => EsdbClient;

/**
 * The client's protected plumbing, used to send the one request its public API lacks: a
 * filtered read of `$all` (client 6.2.1 only filters subscriptions, though the gRPC protocol
 * and the server accept a filter on reads too). Same calls as the library's own `readAll`.
 */
interface ClientPlumbing {
  GRPCStreamCreator<C extends StreamsClient, T extends ClientReadableStream<ReadResp>>(
    Client: GRPCClientConstructor<C>,
    debugName: string,
    creator: (client: C) => T | Promise<T>,
  ): () => Promise<T>;
  callArguments(options: BaseOptions, callOptions?: CallOptions): [Metadata, CallOptions];
  getChannel(): Promise<{ close(): void }>;
}

/** How long `close()` waits for a connection still being set up (cluster discovery) before leaving it to close itself. */
const CLOSE_WAIT_MS = 1_000;

/** {@link EsdbClient} over `@eventstore/db-client` (gRPC). */
export class GrpcEsdbClient implements EsdbClient {
  private readonly client: EventStoreDBClient;
  private used = false;
  private closing = false;

  constructor(connectionString: string) {
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  appendToStream(stream: string, events: EsdbEventData[], expectedRevision: AppendExpectedRevision, deadlineMs: number): Promise<ClientAppendResult> {
    this.used = true;
    return this.client.appendToStream(stream, events, { expectedRevision, deadline: deadlineMs });
  }

  readStream(stream: string, options: EsdbReadStreamOptions, signal: AbortSignal): Promise<ResolvedEvent[]> {
    this.used = true;
    const fromRevision = options.from === 'start' ? 'start' : options.from === 'end' ? 'end' : options.from;
    const read = this.client.readStream(stream, {
      fromRevision,
      direction: options.direction === 'backwards' ? BACKWARDS : FORWARDS,
      ...(options.maxCount !== undefined && { maxCount: options.maxCount }),
    });
    return this.collect(read, signal);
  }

  readAll(options: EsdbReadAllOptions, signal: AbortSignal): Promise<AllStreamResolvedEvent[]> {
    this.used = true;
    return this.collect(this.readAllStream(options), signal);
  }

  subscribeToAll(options: EsdbSubscribeOptions): LiveFeed {
    this.used = true;
    const subscription = this.client.subscribeToAll(
      {
        fromPosition: options.after,
        // The checkpoints are not used: a large interval keeps them rare.
        filter: (options.filter.on === 'eventType' ? eventTypeFilter : streamNameFilter)({ regex: options.filter.regex, checkpointInterval: 10_000 }),
      },
      { highWaterMark: options.bufferSize },
    );
    // Errors reach whoever iterates `events`; this keeps one emitted while nobody iterates (before
    // the first read, after close) from crashing the process as an unhandled 'error' event.
    subscription.on('error', () => undefined);
    const confirmed = new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      subscription.once('error', onError);
      subscription.once('confirmation', () => {
        subscription.removeListener('error', onError);
        resolve();
      });
    });
    confirmed.catch(() => undefined);
    return {
      confirmed,
      events: subscription,
      get buffered() {
        return subscription.readableLength;
      },
      close: () => subscription.unsubscribe(),
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.client.dispose();
    if (!this.used) return;
    // dispose() cancels calls but leaves the gRPC channel (and its socket) open.
    const closed = plumbing(this.client)
      .getChannel()
      .then((channel) => {
        const stuck = stuckHandshakes(channel);
        channel.close();
        for (const session of stuck) session.destroy();
      })
      .catch(() => undefined);
    await Promise.race([closed, delay(CLOSE_WAIT_MS)]);
  }

  /**
   * Gathers a read's events. A read cancelled by closing the client just ends, which would
   * pass for the end of the data; that case is reported as unavailable.
   */
  private async collect<T>(read: CancellableRead<T>, signal: AbortSignal): Promise<T[]> {
    const cancel = (): void => void read.cancel().catch(() => undefined);
    if (signal.aborted) cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      const events: T[] = [];
      for await (const event of read) {
        if (signal.aborted) break;
        events.push(event);
      }
      if (signal.aborted || this.closing) throw new EventStoreUnavailableError('The EventStoreDB read was interrupted before it completed');
      return events;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  private readAllStream(options: EsdbReadAllOptions): StreamingRead<AllStreamResolvedEvent> {
    const request = buildReadAllRequest(options);
    const internals = plumbing(this.client);
    const createStream = internals.GRPCStreamCreator(StreamsClient, 'readAll', (client) =>
      client.read(request, ...internals.callArguments({}, { deadline: Infinity })),
    );
    return new ReadStream<AllStreamResolvedEvent>(createStream, convertGrpcEvent, {});
  }
}

function plumbing(client: EventStoreDBClient): ClientPlumbing {
  return client as unknown as ClientPlumbing;
}

/** The part of grpc-js's channel internals that holds a connection attempt in progress. */
interface ChannelInternals {
  internalChannel?: {
    wrappedSubchannels?: Iterable<{ child?: { connector?: { session?: { destroy(): void } | null } } }>;
  };
}

/**
 * HTTP/2 sessions still waiting for the server's handshake. grpc-js never aborts such a
 * connection attempt, not even when the channel closes: against a server that accepts the
 * connection and never answers, the socket would stay open until the server drops it, one
 * more for every client this adapter retires. Best effort: with other internals, none found.
 */
function stuckHandshakes(channel: unknown): { destroy(): void }[] {
  try {
    const subchannels = (channel as ChannelInternals).internalChannel?.wrappedSubchannels ?? [];
    const sessions: { destroy(): void }[] = [];
    for (const wrapper of subchannels) {
      const session = wrapper.child?.connector?.session;
      if (session && typeof session.destroy === 'function') sessions.push(session);
    }
    return sessions;
  } catch {
    return [];
  }
}

/** The gRPC `Read` request for `$all`, with the filter the library only sets for subscriptions. */
export function buildReadAllRequest(options: EsdbReadAllOptions): ReadReq {
  const all = new ReadReq.Options.AllOptions();
  if (options.from === 'start') all.setStart(new Empty());
  else if (options.from === 'end') all.setEnd(new Empty());
  else {
    const position = new ReadReq.Options.Position();
    position.setCommitPosition(options.from.commit.toString(10));
    position.setPreparePosition(options.from.prepare.toString(10));
    all.setPosition(position);
  }
  const uuidOption = new ReadReq.Options.UUIDOption();
  uuidOption.setString(new Empty());
  const readOptions = new ReadReq.Options();
  readOptions.setAll(all);
  readOptions.setResolveLinks(false);
  readOptions.setCount(String(Math.max(0, Math.floor(options.maxCount))));
  readOptions.setUuidOption(uuidOption);
  readOptions.setReadDirection(options.direction === 'backwards' ? ReadReq.Options.ReadDirection.BACKWARDS : ReadReq.Options.ReadDirection.FORWARDS);
  if (options.filter === undefined) {
    readOptions.setNoFilter(new Empty());
  } else {
    const expression = new ReadReq.Options.FilterOptions.Expression();
    expression.setRegex(options.filter.regex);
    const filter = new ReadReq.Options.FilterOptions();
    if (options.filter.on === 'eventType') filter.setEventType(expression);
    else filter.setStreamIdentifier(expression);
    // The search window follows the requested count; checkpoints only matter to subscriptions.
    filter.setCount(new Empty());
    filter.setCheckpointintervalmultiplier(1);
    readOptions.setFilter(filter);
  }
  const request = new ReadReq();
  request.setOptions(readOptions);
  return request;
}

interface CancellableRead<T> extends AsyncIterable<T> {
  cancel(): Promise<void>;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
