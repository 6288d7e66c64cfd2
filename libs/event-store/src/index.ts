export * from './types';
export * from './errors';
export { MAX_EVENTS_PER_APPEND } from './contract/append-rules';
export { canImportEvents } from './contract/import-rules';
export { SqliteEventStore, type SqliteEventStoreOptions } from './adapters/sqlite/sqlite-event-store';
export { BackgroundCheckpointer } from './adapters/sqlite/background-checkpointer';
export { PostgresEventStore, type PostgresEventStoreOptions } from './adapters/postgres/postgres-event-store';
export { createEventStore, type EventStoreConfig, type PostgresEventStoreConfig, type SqliteEventStoreConfig, type EventStoreDbEventStoreConfig } from './create-event-store';
// The EventStoreDB adapter is not re-exported here, so that loading the library does not load
// its client: createEventStore opens it on demand; import it from its module to use it directly.
export type { EventStoreDbEventStoreOptions } from './adapters/eventstoredb/eventstoredb-event-store';
