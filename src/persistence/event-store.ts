import { join } from 'node:path';
import { createEventStore, EventStoreUnavailableError, type EventStore } from '@app/event-store';
import type { AppConfig } from '../config/app-config';
import { splitSchema } from './database-url';
import { READ_MODEL_APPLICATION_NAME } from './read-model-application';
import { DeferredEventStore } from './deferred-event-store';

/**
 * Opens the configured event store (schema created when missing): SQLite in
 * `<dataDir>/events.db`, PostgreSQL at DATABASE_URL (in its `?schema=` when given), or EventStoreDB.
 */
export function openEventStore(config: AppConfig): Promise<EventStore> {
  switch (config.eventStore) {
    case 'sqlite':
      return createEventStore({ kind: 'sqlite', file: join(config.dataDir, 'events.db') });
    case 'postgres': {
      if (!config.databaseUrl) throw new Error('EVENT_STORE=postgres needs DATABASE_URL');
      const { url, schema } = splitSchema(config.databaseUrl);
      // The read model's sessions never append: their batch transactions must not delay reads.
      return createEventStore({
        kind: 'postgres',
        connectionString: url,
        ...(schema ? { schema } : {}),
        nonAppendingApplications: [READ_MODEL_APPLICATION_NAME],
      });
    }
    case 'eventstoredb':
      if (!config.eventStoreConnectionString) throw new Error('EVENT_STORE=eventstoredb needs an EventStoreDB connection string');
      return createEventStore({
        kind: 'eventstoredb',
        connectionString: config.eventStoreConnectionString,
        connectTimeoutMs: config.eventStoreConnectTimeoutMs,
        callTimeoutMs: config.eventStoreCallTimeoutMs,
      });
  }
}

/**
 * The service's event store: as {@link openEventStore}, but a store whose server cannot be
 * reached at start does not stop the service; it is opened on a later call (see
 * DeferredEventStore). Configuration mistakes still fail the start.
 */
export async function openServiceEventStore(config: AppConfig, onDeferred?: (error: unknown) => void): Promise<EventStore> {
  try {
    return await openEventStore(config);
  } catch (error) {
    if (!(error instanceof EventStoreUnavailableError)) throw error;
    onDeferred?.(error);
    return new DeferredEventStore(config.eventStore, () => openEventStore(config), error);
  }
}
