/**
 * An in-memory stand-in for an EventStoreDB server, for the adapter's specs (no server can run
 * on the build machines). It models the server behaviour the adapter depends on, as read in
 * EventStoreDB's source: positions are byte offsets with commit === prepare; reads must start
 * at a record boundary; forward reads include the start, backward reads stop before it;
 * subscriptions start after the first entry found at the position; idempotent retries are
 * recognised per stream; filters are regular expressions on type or stream name.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { StreamNotFoundError, UnavailableError, WrongExpectedVersionError, type AllStreamResolvedEvent, type AppendExpectedRevision, type AppendResult, type ResolvedEvent } from '@eventstore/db-client';
import type { EsdbClient, EsdbReadAllOptions, EsdbReadStreamOptions, EsdbSubscribeOptions, LiveFeed } from '../esdb-client';
import type { EsdbEventData } from '../event-mapping';
import type { LogPosition } from '../positions';
import type { ServerFilter } from '../server-filter';

interface FakeRecord {
  offset: bigint;
  streamId: string;
  revision: bigint;
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
  created: Date;
}

interface FakeSubscription {
  filter: ServerFilter;
  stream: PassThrough;
}

export class FakeEsdbServer {
  readonly records: FakeRecord[] = [];
  /** Every call the clients made, for assertions (`append`, `readStream`, `readAll`, `subscribe`). */
  readonly calls: string[] = [];
  readonly clients: FakeEsdbClient[] = [];
  /** While set, subscriptions are never confirmed (a server that accepts and never answers). */
  silent = false;
  private nextOffset = 1_024n;
  private readonly streams = new Map<string, FakeRecord[]>();
  private readonly subscriptions = new Set<FakeSubscription>();

  client(): FakeEsdbClient {
    const client = new FakeEsdbClient(this);
    this.clients.push(client);
    return client;
  }

  /** Writes an event of the server's own (statistics and the like), as a real server does now and then. */
  writeSystemEvent(): void {
    this.write('$stats-127.0.0.1:2113', [{ id: randomUUID(), type: '$statsCollected', data: {}, metadata: undefined }]);
  }

  /** Ends every subscription with an error, as a lost connection does. */
  dropSubscriptions(error: Error = new UnavailableError(undefined, 'connection lost')): void {
    for (const subscription of this.subscriptions) subscription.stream.destroy(error);
    this.subscriptions.clear();
  }

  get liveSubscriptions(): number {
    return this.subscriptions.size;
  }

  append(streamId: string, events: readonly EsdbEventData[], expected: AppendExpectedRevision): AppendResult {
    this.calls.push('append');
    const stored = this.streams.get(streamId) ?? [];
    const current = stored.length === 0 ? -1n : stored[stored.length - 1].revision;
    const wrong = (): WrongExpectedVersionError =>
      new WrongExpectedVersionError(undefined, { streamName: streamId, expected, current: current < 0n ? 'no_stream' : current });
    const retried = this.recognisedRetry(stored, events, expected, current);
    if (retried === 'conflict') throw wrong();
    if (retried) return { success: true, nextExpectedRevision: retried.revision, position: { commit: retried.offset, prepare: retried.offset } };
    const holds = expected === 'any' || (expected === 'no_stream' ? current < 0n : expected === 'stream_exists' ? current >= 0n : expected === current);
    if (!holds) throw wrong();
    const last = this.write(streamId, events);
    return { success: true, nextExpectedRevision: last.revision, position: { commit: last.offset, prepare: last.offset } };
  }

  readStream(streamId: string, options: EsdbReadStreamOptions): ResolvedEvent[] {
    this.calls.push('readStream');
    const stored = this.streams.get(streamId);
    if (!stored) throw new StreamNotFoundError(undefined, streamId);
    const limit = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (options.direction === 'forwards') {
      const from = options.from === 'start' ? 0n : options.from === 'end' ? BigInt(stored.length) : options.from;
      return stored.filter((record) => record.revision >= from).slice(0, limit).map(resolved);
    }
    const from = options.from === 'start' ? 0n : options.from === 'end' ? BigInt(stored.length) : options.from;
    return stored
      .filter((record) => record.revision <= from)
      .reverse()
      .slice(0, limit)
      .map(resolved);
  }

  readAll(options: EsdbReadAllOptions): AllStreamResolvedEvent[] {
    this.calls.push('readAll');
    const matches = (record: FakeRecord): boolean => options.filter === undefined || matchesFilter(options.filter, record);
    if (options.direction === 'forwards') {
      const from = options.from === 'start' ? 0n : options.from === 'end' ? this.nextOffset : this.boundary(options.from);
      return this.records.filter((record) => record.offset >= from && matches(record)).slice(0, options.maxCount).map(resolved);
    }
    const before = options.from === 'end' ? this.nextOffset : options.from === 'start' ? 0n : this.boundary(options.from);
    return this.records
      .filter((record) => record.offset < before && matches(record))
      .reverse()
      .slice(0, options.maxCount)
      .map(resolved);
  }

  subscribe(options: EsdbSubscribeOptions): LiveFeed {
    this.calls.push('subscribe');
    const stream = new PassThrough({ objectMode: true, highWaterMark: options.bufferSize });
    const subscription: FakeSubscription = { filter: options.filter, stream };
    let afterOffset = -1n;
    if (options.after !== 'start') {
      // Like the server: read one entry at the position and continue after it.
      const from = this.boundary(options.after);
      afterOffset = this.records.find((record) => record.offset >= from)?.offset ?? this.nextOffset;
    }
    const confirmed = this.silent ? new Promise<void>(() => undefined) : Promise.resolve();
    if (!this.silent) {
      for (const record of this.records) if (record.offset > afterOffset && matchesFilter(options.filter, record)) stream.write(resolved(record));
      this.subscriptions.add(subscription);
    }
    return {
      confirmed,
      events: stream,
      get buffered() {
        return stream.readableLength;
      },
      close: async () => {
        this.subscriptions.delete(subscription);
        stream.end();
      },
    };
  }

  private write(streamId: string, events: readonly Pick<FakeRecord, 'id' | 'type' | 'data' | 'metadata'>[]): FakeRecord {
    const stored = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, stored);
    let last: FakeRecord | undefined;
    for (const event of events) {
      const record: FakeRecord = {
        offset: this.nextOffset,
        streamId,
        revision: BigInt(stored.length),
        id: event.id,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        created: new Date(),
      };
      // Records are as long as their content, so positions are far from dense.
      this.nextOffset += BigInt(100 + JSON.stringify(event.data).length);
      stored.push(record);
      this.records.push(record);
      for (const subscription of this.subscriptions) if (matchesFilter(subscription.filter, record)) subscription.stream.write(resolved(record));
      last = record;
    }
    if (!last) throw new Error('empty append');
    return last;
  }

  /** The server's retry recognition: undefined for a new append, the original's last record, or a conflict. */
  private recognisedRetry(stored: FakeRecord[], events: readonly EsdbEventData[], expected: AppendExpectedRevision, current: bigint): FakeRecord | 'conflict' | undefined {
    if (expected === 'any' || expected === 'stream_exists') {
      const found = events.map((event) => stored.find((record) => record.id === event.id));
      if (!found[0]) return undefined;
      if (found.some((record) => !record)) return 'conflict';
      return found.reduce((latest, record) => (record!.revision > latest!.revision ? record : latest));
    }
    const expectedRevision = expected === 'no_stream' ? -1n : expected;
    if (expectedRevision >= current) return undefined;
    for (let index = 0; index < events.length; index += 1) {
      const record = stored[Number(expectedRevision) + 1 + index];
      if (record?.id !== events[index].id) return 'conflict';
    }
    return stored[Number(expectedRevision) + events.length];
  }

  /** The server fails reads that start inside a record. */
  private boundary(position: LogPosition): bigint {
    const offset = position.commit;
    if (offset !== 0n && offset !== this.nextOffset && !this.records.some((record) => record.offset === offset)) {
      throw new Error(`Invalid position ${offset}: not the start of a record`);
    }
    return offset;
  }
}

/** An {@link EsdbClient} talking to a {@link FakeEsdbServer}. */
export class FakeEsdbClient implements EsdbClient {
  closed = false;
  /** Every call fails as on a refused connection while set. */
  unreachable = false;

  constructor(private readonly server: FakeEsdbServer) {}

  async appendToStream(stream: string, events: EsdbEventData[], expectedRevision: AppendExpectedRevision): Promise<AppendResult> {
    this.check();
    return this.server.append(stream, events, expectedRevision);
  }

  async readStream(stream: string, options: EsdbReadStreamOptions): Promise<ResolvedEvent[]> {
    this.check();
    return this.server.readStream(stream, options);
  }

  async readAll(options: EsdbReadAllOptions): Promise<AllStreamResolvedEvent[]> {
    this.check();
    return this.server.readAll(options);
  }

  subscribeToAll(options: EsdbSubscribeOptions): LiveFeed {
    this.check();
    return this.server.subscribe(options);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(): void {
    if (this.closed) throw new Error('FakeEsdbClient used after close()');
    if (this.unreachable) throw new UnavailableError(undefined, '14 UNAVAILABLE: No connection established');
  }
}

function matchesFilter(filter: ServerFilter, record: FakeRecord): boolean {
  return new RegExp(filter.regex).test(filter.on === 'eventType' ? record.type : record.streamId);
}

function resolved(record: FakeRecord): AllStreamResolvedEvent {
  const position = { commit: record.offset, prepare: record.offset };
  return {
    event: {
      streamId: record.streamId,
      id: record.id,
      isJson: true,
      revision: record.revision,
      type: record.type,
      created: record.created,
      data: record.data,
      metadata: record.metadata,
      position,
    },
    commitPosition: record.offset,
  } as AllStreamResolvedEvent;
}
