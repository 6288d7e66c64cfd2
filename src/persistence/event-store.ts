import { join } from 'node:path';
import { createEventStore, type EventStore } from '@app/event-store';
import type { AppConfig } from '../config/app-config';

/** Opens the configured event store (schema created when missing). */
export function openEventStore(config: AppConfig): Promise<EventStore> {
  switch (config.eventStore) {
    case 'sqlite':
      return createEventStore({ kind: 'sqlite', file: join(config.dataDir, 'events.db') });
    default:
      throw new Error(`EVENT_STORE=${config.eventStore} is not available in this build`);
  }
}
