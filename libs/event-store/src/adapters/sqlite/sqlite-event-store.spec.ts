import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '../../contract/event-store.contract';
import { SqliteEventStore } from './sqlite-event-store';

describeEventStoreContract(
  'sqlite',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-store-'));
    const file = join(dir, 'events.db');
    const open = async (): Promise<SqliteEventStore> => {
      const store = new SqliteEventStore({ file, foreignWritePollMs: 50 });
      await store.init();
      return store;
    };
    const store = await open();
    return {
      store,
      openAnother: open,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  {
    heldTransactions: 'SQLite has a single writer: an open write transaction blocks every other append, so no later append can commit first',
    droppedConnections: 'SQLite is an embedded file with no connection to drop',
  },
);
