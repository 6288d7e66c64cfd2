import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { describeEventStoreContract } from '../../contract/event-store.contract';
import { WrongExpectedRevisionError } from '../../errors';
import { notifySessionName, PostgresEventStore, STORE_SESSION_SETTINGS } from './postgres-event-store';
import { buildSql } from './postgres-sql';

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

/** A store on a schema of its own for the enclosing describe block; the schema is dropped after it. */
function scratchStore(prefix: string, poolSize: number): () => PostgresEventStore {
  const schema = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  let store: PostgresEventStore | undefined;
  beforeAll(async () => {
    store = new PostgresEventStore({ connection: url, schema, poolSize });
    await store.init();
  });
  afterAll(async () => {
    await store?.close();
    await withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  });
  return () => store!;
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

describe('postgres read horizon', () => {
  const store = scratchStore('es_horizon', 2);

  it('is not held back by a writing transaction in another database of the cluster', async () => {
    const release = await holdWritingTransaction({ database: 'postgres' });
    try {
      const appended = await store().append(`horizon-${randomUUID()}`, [{ type: 'horizon.checked', tenant: 't', data: {} }], { expectedRevision: 'no_stream' });
      expect(await store().headPosition()).toBe(appended.position);
      const page = await store().readAll({ fromPosition: appended.position });
      expect(page.events.map((e) => e.position)).toEqual([appended.position]);
    } finally {
      await release();
    }
  });

  it('is held back by a writing transaction in its own database until that transaction ends', async () => {
    const release = await holdWritingTransaction({});
    let released = false;
    try {
      const appended = await store().append(`horizon-${randomUUID()}`, [{ type: 'horizon.checked', tenant: 't', data: {} }], { expectedRevision: 'no_stream' });
      // The open transaction could still add events below this one: readers must wait.
      expect(await store().headPosition()).toBeLessThan(appended.position);
      await release();
      released = true;
      expect(await store().headPosition()).toBe(appended.position);
    } finally {
      if (!released) await release();
    }
  });

  it('tells a filtered subscription that events wait behind it, so they arrive when it ends without a new append', async () => {
    const type = `horizon.filtered.${randomUUID().slice(0, 8)}`;
    const received: number[] = [];
    const subscription = store().subscribe({ fromPosition: (await store().headPosition()) + 1, filter: { types: [type] } }, (events) => {
      received.push(...events.map((event) => event.position));
    });
    try {
      const release = await holdWritingTransaction({});
      let appendedPosition = -1;
      try {
        ({ position: appendedPosition } = await store().append(`horizon-${randomUUID()}`, [{ type, tenant: 't', data: {} }], { expectedRevision: 'no_stream' }));
        // Long enough for the subscription to read, find the event held back, and start waiting.
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(received).toEqual([]);
      } finally {
        await release();
      }
      // Without the held-back flag the next read would come only after the 5 s idle re-check.
      const deadline = Date.now() + 1_500;
      while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received).toEqual([appendedPosition]);
    } finally {
      await subscription.close();
    }
  });
});

describe('postgres subscription pages', () => {
  const schema = `es_pages_${randomUUID().replace(/-/g, '').slice(0, 16)}`;

  afterAll(() => withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)));

  it('learn whether events wait behind the horizon without scanning the log', async () => {
    const store = new PostgresEventStore({ connection: url, schema, poolSize: 1 });
    await store.init();
    await store.close();
    const sql = buildSql(schema);
    const client = new Client({ connectionString: url, options: STORE_SESSION_SETTINGS });
    await client.connect();
    try {
      // A log large enough that the planner's choices are those of a real one.
      await client.query(
        `INSERT INTO "${schema}".events (position, id, stream, revision, type, data, metadata, tenant, created_at)
         SELECT g, gen_random_uuid(), 'bulk-' || g, 0, 'bulk.e', '{}', '{}', 't', now() FROM generate_series(1, 50000) AS g`,
      );
      await client.query(`ANALYZE "${schema}".events`);
      const scansOfTheLog = async (text: string, values: unknown[]): Promise<string[]> => {
        const { rows } = await client.query<{ 'QUERY PLAN': unknown }>({ text: `EXPLAIN (FORMAT JSON) ${text}`, values });
        const found: string[] = [];
        const visit = (node: Record<string, unknown>): void => {
          if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'events') found.push(String(node['Node Type']));
          for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
        };
        visit((rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0].Plan);
        return found;
      };
      // At the log's end, where subscriptions read on every append: each read must cost the same
      // whatever the log's length (a scan made every live read as slow as the log is long).
      expect(await scansOfTheLog(sql.readAllLive.text, [49_990, 1001])).toEqual([]);
      expect(await scansOfTheLog(sql.readFilteredLive.text, [49_990, null, ['bulk.e'], null, 4000, 1001])).toEqual([]);
    } finally {
      await client.end();
    }
  });
});

describe('postgres read horizon with sessions declared as never appending', () => {
  const schema = `es_horizon_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const readModelName = `read-model-${randomUUID().slice(0, 8)}`;
  let store: PostgresEventStore;

  beforeAll(async () => {
    store = new PostgresEventStore({ connection: url, schema, poolSize: 2, nonAppendingApplications: [readModelName] });
    await store.init();
  });

  afterAll(async () => {
    await store.close();
    await withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  });

  it('is not held back by a writing transaction of such a session in the same database', async () => {
    const release = await holdWritingTransaction({ applicationName: readModelName });
    try {
      const appended = await store.append(`horizon-${randomUUID()}`, [{ type: 'horizon.checked', tenant: 't', data: {} }], { expectedRevision: 'no_stream' });
      expect(await store.headPosition()).toBe(appended.position);
    } finally {
      await release();
    }
  });

  it('is still held back by any other session of the same database', async () => {
    const release = await holdWritingTransaction({ applicationName: `someone-else-${randomUUID().slice(0, 8)}` });
    try {
      const appended = await store.append(`horizon-${randomUUID()}`, [{ type: 'horizon.checked', tenant: 't', data: {} }], { expectedRevision: 'no_stream' });
      expect(await store.headPosition()).toBeLessThan(appended.position);
    } finally {
      await release();
    }
  });

  it('refuses application names it could not put into SQL safely', () => {
    expect(() => new PostgresEventStore({ connection: url, schema, nonAppendingApplications: ["x' OR true --"] })).toThrow(/Invalid application name/);
  });
});

/**
 * Opens a transaction that has a transaction id (so it is in every snapshot), on `database`
 * (default: the test database) as `applicationName`; resolves to the function that commits it.
 */
async function holdWritingTransaction(session: { database?: string; applicationName?: string }): Promise<() => Promise<void>> {
  const target = new URL(url);
  if (session.database) target.pathname = `/${session.database}`;
  const client = new Client({ connectionString: target.toString(), application_name: session.applicationName });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT pg_current_xact_id()');
  return async () => {
    await client.query('COMMIT');
    await client.end();
  };
}

describe('postgres group commit', () => {
  const store = scratchStore('es_group', 4);

  /** Appends to `stream` in a transaction of its own that stays open until the returned function commits it. */
  async function appendElsewhereHeldOpen(stream: string): Promise<() => Promise<void>> {
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('BEGIN');
    await store().appendInTransaction(client, stream, [{ type: 'race.elsewhere', tenant: 't', data: {} }], { expectedRevision: 'no_stream' });
    return async () => {
      await client.query('COMMIT');
      await client.end();
    };
  }

  it.each<['any' | 'no_stream', 'fulfilled' | 'rejected']>([
    ['any', 'fulfilled'],
    ['no_stream', 'rejected'],
  ])('a group that loses a race to another writer fails only the append that lost (%s)', async (expectedRevision, outcome) => {
    const contested = `contested-${randomUUID()}`;
    const commitElsewhere = await appendElsewhereHeldOpen(contested);
    // Sent together, so one statement: it waits on the contested revision, then fails whole.
    const appends = [
      store().append(`bystander-${randomUUID()}`, [{ type: 'race.bystander', tenant: 't', data: {} }], { expectedRevision: 'no_stream' }),
      store().append(contested, [{ type: 'race.here', tenant: 't', data: {} }], { expectedRevision }),
      store().append(`bystander-${randomUUID()}`, [{ type: 'race.bystander', tenant: 't', data: {} }], { expectedRevision: 'no_stream' }),
    ];
    await new Promise((resolve) => setTimeout(resolve, 100));
    await commitElsewhere();
    const settled = await Promise.allSettled(appends);
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', outcome, 'fulfilled']);
    const stored = await store().readStream(contested);
    if (outcome === 'fulfilled') {
      expect(stored.map((e) => e.type)).toEqual(['race.elsewhere', 'race.here']);
      expect((settled[1] as PromiseFulfilledResult<{ position: number }>).value.position).toBe(stored[1].position);
    } else {
      expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(stored.map((e) => e.type)).toEqual(['race.elsewhere']);
    }
  });

  it('writes concurrent appends in one transaction, numbered in the order they were made', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store().append(`grouped-${randomUUID()}`, [{ type: 'grouped.e', tenant: 't', data: { i } }], { expectedRevision: 'no_stream' })),
    );
    // One transaction id per group: the positions share it (their upper bits).
    const transactions = new Set(results.map((result) => Math.floor(result.position / 65536)));
    expect(transactions.size).toBe(1);
    const positions = results.map((result) => result.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(new Set(results.map((result) => result.createdAt.getTime())).size).toBe(1);
  });
});

describe('postgres notifications', () => {
  it("send on a session of their own whose transactions do not hold readers back", async () => {
    const schema = `es_notify_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const applicationName = `notify-test-${randomUUID().slice(0, 8)}`;
    const store = new PostgresEventStore({ connection: url, schema, applicationName, poolSize: 2 });
    await store.init();
    try {
      expect(notifySessionName(applicationName)).toBe(`${applicationName}:notify`);
      // A NOTIFY holds a transaction id until it commits; one from that session must not delay reads.
      const release = await holdWritingTransaction({ applicationName: notifySessionName(applicationName) });
      try {
        const appended = await store.append(`notify-${randomUUID()}`, [{ type: 'notify.checked', tenant: 't', data: {} }], { expectedRevision: 'no_stream' });
        expect(await store.headPosition()).toBe(appended.position);
      } finally {
        await release();
      }
      // The store's notifications do come from that session.
      await store.append(`notify-${randomUUID()}`, [{ type: 'notify.checked', tenant: 't', data: {} }], { expectedRevision: 'no_stream' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const sessions = await withClient(async (client) => (await client.query<{ name: string }>('SELECT application_name AS name FROM pg_stat_activity WHERE application_name LIKE $1', [`${applicationName}%`])).rows);
      expect(sessions.map((session) => session.name)).toContain(`${applicationName}:notify`);
    } finally {
      await store.close();
      await withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  });

  it('keep an application name the read horizon cannot name on the appending sessions', () => {
    expect(notifySessionName('name with spaces')).toBeUndefined();
  });
});

describe('postgres latest-event reads', () => {
  const store = scratchStore('es_latest', 4);
  afterAll(() => jest.restoreAllMocks());

  it('made in one turn of the event loop go to the server as one statement, each answered for its own stream', async () => {
    const streams = Array.from({ length: 20 }, (_, index) => `latest-${index}-${randomUUID()}`);
    for (const [index, stream] of streams.entries()) {
      const events = Array.from({ length: (index % 3) + 1 }, (_, revision) => ({ type: 'latest.e', tenant: 't', data: { index, revision } }));
      await store().append(stream, events, { expectedRevision: 'no_stream' });
    }
    const missing = Array.from({ length: 5 }, () => `latest-missing-${randomUUID()}`);
    // Some streams asked for twice in the same turn, as two commands on one aggregate would.
    const asked = [...streams, ...missing, streams[0], streams[7], missing[0]];
    const sent = jest.spyOn(Pool.prototype, 'query');

    const answers = await Promise.all(asked.map((stream) => store().readStream(stream, { direction: 'backwards', maxCount: 1 })));

    const statements = sent.mock.calls.map(([config]) => (config as { name?: string }).name ?? '');
    sent.mockRestore();
    expect(statements.filter((name) => /stream_(latest|bwd)$/.test(name))).toHaveLength(1);
    expect(answers.map((events) => events.map((event) => [event.stream, event.revision, event.data]))).toEqual(
      asked.map((stream) => {
        const index = streams.indexOf(stream);
        return index < 0 ? [] : [[stream, index % 3, { index, revision: index % 3 }]];
      }),
    );
  });

  it('see an append acknowledged before them, and a read with an earlier revision still reads that one', async () => {
    const stream = `latest-fresh-${randomUUID()}`;
    await store().append(stream, [{ type: 'latest.a', tenant: 't', data: {} }], { expectedRevision: 'no_stream' });
    const appended = await store().append(stream, [{ type: 'latest.b', tenant: 't', data: {} }], { expectedRevision: 0 });
    const [latest, atFirst] = await Promise.all([
      store().readStream(stream, { direction: 'backwards', maxCount: 1 }),
      store().readStream(stream, { direction: 'backwards', maxCount: 1, fromRevision: 0 }),
    ]);
    expect(latest.map((event) => [event.type, event.position])).toEqual([['latest.b', appended.position]]);
    expect(atFirst.map((event) => event.type)).toEqual(['latest.a']);
  });
});
