export * from './types';
export * from './errors';
export { MAX_EVENTS_PER_APPEND } from './contract/append-rules';
export { canImportEvents } from './contract/import-rules';
export { SqliteEventStore, type SqliteEventStoreOptions } from './adapters/sqlite/sqlite-event-store';
export { BackgroundCheckpointer } from './adapters/sqlite/background-checkpointer';
export { createEventStore, type EventStoreConfig, type PostgresEventStoreConfig, type SqliteEventStoreConfig, type EventStoreDbEventStoreConfig } from './create-event-store';
// The PostgreSQL and EventStoreDB adapters are not re-exported here, so that loading the library
// does not load their clients: createEventStore opens them on demand; import one from its module
// to use it directly.
export type { PostgresEventStoreOptions } from './adapters/postgres/postgres-event-store';
export type { EventStoreDbEventStoreOptions } from './adapters/eventstoredb/eventstoredb-event-store';
