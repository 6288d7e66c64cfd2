import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { describeEventStoreContract } from '../../contract/event-store.contract';
import { PostgresEventStore } from './postgres-event-store';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describeEventStoreContract(
  'postgres',
  async () => {
    const schema = `es_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const applicationName = `${schema}_main`;
    const open = async (name: string): Promise<PostgresEventStore> => {
      const store = new PostgresEventStore({ connection: url, schema, applicationName: name, poolSize: 8 });
      await store.init();
      return store;
    };
    const store = await open(applicationName);
    return {
      store,
      openAnother: () => open(`${schema}_other`),
      async appendHeldOpen(stream, events, options) {
        const client = new Client({ connectionString: url });
        await client.connect();
        await client.query('BEGIN');
        try {
          const result = await store.appendInTransaction(client, stream, events, options);
          const finish = async (command: 'COMMIT' | 'ROLLBACK') => {
            try {
              await client.query(command);
            } finally {
              await client.end();
            }
          };
          return {
            async commit() {
              await finish('COMMIT');
              store.announceAppended();
              return result;
            },
            rollback: () => finish('ROLLBACK'),
          };
        } catch (error) {
          await client.end();
          throw error;
        }
      },
      async holdWriteTransaction() {
        const client = new Client({ connectionString: url });
        await client.connect();
        await client.query('BEGIN');
        // Having a transaction id is what makes a transaction hold the read horizon.
        await client.query('SELECT pg_current_xact_id()');
        return {
          async end() {
            try {
              await client.query('COMMIT');
            } finally {
              await client.end();
            }
          },
        };
      },
      async dropConnections() {
        await withClient(async (client) => {
          const { rows } = await client.query<{ terminated: boolean }>(
            'SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = $1',
            [applicationName],
          );
          expect(rows.length).toBeGreaterThan(0);
        });
      },
      async cleanup() {
        await store.close();
        await withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      },
    };
  },
  { heldTransactions: true, droppedConnections: true },
);
