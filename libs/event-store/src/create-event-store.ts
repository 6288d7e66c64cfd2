import { SqliteEventStore } from './adapters/sqlite/sqlite-event-store';
import type { EventImporter, EventStore } from './types';

/** Embedded store in one SQLite file: for a single node, development and tests. */
export interface SqliteEventStoreConfig {
  kind: 'sqlite';
  file: string;
}

/** Shared store in PostgreSQL: several service instances, gap-safe global order. */
export interface PostgresEventStoreConfig {
  kind: 'postgres';
  connectionString: string;
  /** Schema of the store's tables; default `public`. */
  schema?: string;
  /** application_name of sessions that never append (see PostgresEventStoreOptions). */
  nonAppendingApplications?: readonly string[];
}

/** Clustered store on EventStoreDB (`esdb://host:2113?tls=false`, `esdb+discover://...`). */
export interface EventStoreDbEventStoreConfig {
  kind: 'eventstoredb';
  connectionString: string;
  /** Limit for calls until the server has answered once on a connection; default 5 s. */
  connectTimeoutMs?: number;
  /** Limit for every other call; default 10 s. */
  callTimeoutMs?: number;
  /** Prepended to every stream name; the store then sees only streams under it. Default none. */
  streamPrefix?: string;
}

/** Which event store to open and where. New adapters add a member here and a case below. */
export type EventStoreConfig = SqliteEventStoreConfig | PostgresEventStoreConfig | EventStoreDbEventStoreConfig;

/** Opens the configured store and creates its schema when missing (init() already called). */
export async function createEventStore(config: EventStoreConfig): Promise<EventStore & EventImporter> {
  const store = await openEventStore(config);
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

async function openEventStore(config: EventStoreConfig): Promise<EventStore & EventImporter> {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteEventStore({ file: config.file });
    case 'postgres': {
      // Loaded on demand, as EventStoreDB's below: a service on another store never needs pg.
      const { PostgresEventStore } = await import('./adapters/postgres/postgres-event-store');
      return new PostgresEventStore({ connection: config.connectionString, schema: config.schema, nonAppendingApplications: config.nonAppendingApplications });
    }
    case 'eventstoredb': {
      // Loaded on demand: the client and its gRPC stack are a few hundred modules, a good part
      // of the start-up time of a service that runs on one of the other stores.
      const { EventStoreDbEventStore } = await import('./adapters/eventstoredb/eventstoredb-event-store');
      return new EventStoreDbEventStore({
        connectionString: config.connectionString,
        connectTimeoutMs: config.connectTimeoutMs,
        callTimeoutMs: config.callTimeoutMs,
        streamPrefix: config.streamPrefix,
      });
    }
    default:
      throw new Error(`Unknown event store kind: ${(config as { kind: string }).kind}`);
  }
}
