import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createEventStore } from './create-event-store';
import { EventStoreUnavailableError } from './errors';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('createEventStore', () => {
  it('opens an initialised SQLite store at the configured file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-store-'));
    const store = await createEventStore({ kind: 'sqlite', file: join(dir, 'nested', 'events.db') });
    try {
      expect(store.kind).toBe('sqlite');
      await store.append('s-1', [{ type: 'a.b', tenant: 't', data: { ok: true } }], { expectedRevision: 'no_stream' });
      expect((await store.readStream('s-1'))[0].data).toEqual({ ok: true });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens an initialised PostgreSQL store in the configured schema', async () => {
    const schema = `es_factory_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const store = await createEventStore({ kind: 'postgres', connectionString: url, schema });
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      expect(store.kind).toBe('postgres');
      await store.append('s-1', [{ type: 'a.b', tenant: 't', data: {} }], { expectedRevision: 'no_stream' });
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${schema}".events`);
      expect(rows[0].n).toBe(1);
    } finally {
      await store.close();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });

  it('reports an unreachable PostgreSQL server as EventStoreUnavailableError', async () => {
    // Port 1 on loopback refuses connections at once.
    await expect(createEventStore({ kind: 'postgres', connectionString: 'postgres://postgres@127.0.0.1:1/test' })).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });
});
