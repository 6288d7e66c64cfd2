import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Response } from 'supertest';
import { ApiClient, SESSION_LIST, expectError } from './support/api';
import { TEST_DATABASE_URL, startReplica, startTestApp, type TestApp } from './support/test-app';

const TOKEN_HEADER = 'x-consistency-token';
const RPC = '/zitadel.action.v3alpha.ActionService';

/**
 * A transaction open on the database, as any other client of the server may hold one: it
 * holds back the read horizon of every replica (events appended after it began stay out of
 * reach until it ends), so a replica that did not make a write cannot see it meanwhile.
 */
async function holdTransaction(): Promise<{ release(): Promise<void> }> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT pg_current_xact_id()');
  return {
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

const conditionsOf = (response: Response): unknown[] => (response.body as { result: { Condition: unknown }[] }).result.map((item) => item.Condition);

describe('read-your-writes across two replicas on one PostgreSQL database', () => {
  let replicaA: TestApp;
  let replicaB: TestApp;
  let onA: ApiClient;
  let onB: ApiClient;
  let targetId: string;

  beforeAll(async () => {
    replicaA = await startTestApp('postgres', {}, { readWaitMs: 8_000 });
    replicaB = await startReplica(replicaA, { readWaitMs: 8_000 });
  });
  afterAll(async () => {
    await replicaB?.close();
    await replicaA?.close();
  });

  beforeEach(async () => {
    const instanceId = `ryw-${randomUUID()}`;
    onA = await ApiClient.of(replicaA, instanceId);
    onB = await ApiClient.of(replicaB, instanceId);
    targetId = await onA.newTarget('hook');
  });

  it('shows a write answered by replica A in a list on replica B that passes the write\'s consistency token, with a transaction held open', async () => {
    const held = await holdTransaction();
    const release = new Promise<void>((resolve) => setTimeout(() => void held.release().then(resolve), 1_500));
    const set = await onA.setExecution({ condition: { request: { method: SESSION_LIST } }, targets: [{ target: targetId }] });
    expect(set.status).toBe(200);
    const token = set.headers[TOKEN_HEADER] as string;
    expect(token).toMatch(/^\d+$/);

    // Without the token, B answers what it can see: the held transaction keeps the write from it.
    expect(conditionsOf(await onB.listExecutions())).toEqual([]);

    // With it, B waits until the write is reduced: here, until the transaction ends.
    const listed = await replicaB.http().post('/v3alpha/executions/search').set('Authorization', `Bearer ${onB.token}`).set(TOKEN_HEADER, token).send({});
    expect(listed.status).toBe(200);
    expect(conditionsOf(listed)).toEqual([{ request: { method: SESSION_LIST } }]);
    await release;
  });

  it('does the same over Connect: the token in the response metadata, passed back in the request metadata', async () => {
    const held = await holdTransaction();
    const release = new Promise<void>((resolve) => setTimeout(() => void held.release().then(resolve), 1_000));
    const connect = (testApp: TestApp, client: ApiClient, rpc: string, body: unknown, token?: string): Promise<Response> => {
      const call = testApp.http().post(`${RPC}/${rpc}`).set('Authorization', `Bearer ${client.token}`).set('Content-Type', 'application/json');
      return (token === undefined ? call : call.set(TOKEN_HEADER, token)).send(JSON.stringify(body));
    };
    const set = await connect(replicaA, onA, 'SetExecution', { condition: { event: { all: true } }, targets: [{ target: targetId }] });
    expect(set.status).toBe(200);
    const token = set.headers[TOKEN_HEADER] as string;
    expect(token).toMatch(/^\d+$/);
    const listed = await connect(replicaB, onB, 'ListExecutions', {}, token);
    expect(listed.status).toBe(200);
    expect((JSON.parse(listed.text) as { result: unknown[] }).result).toHaveLength(1);
    await release;
  });

  it('answers 503 code 14 QUERY-g71cg4tmbb when the token\'s write stays out of reach past the read wait', async () => {
    const held = await holdTransaction();
    try {
      const created = await onA.createTarget({ name: 'late', restAsync: {}, timeout: '1s', endpoint: 'https://example.com/late' });
      expect(created.status).toBe(201);
      const token = created.headers[TOKEN_HEADER] as string;
      const started = Date.now();
      const read = await replicaB.http().get(`/v3alpha/targets/${created.body.id as string}`).set('Authorization', `Bearer ${onB.token}`).set(TOKEN_HEADER, token);
      expectError(read, 503, 14, 'QUERY-g71cg4tmbb');
      expect(Date.now() - started).toBeGreaterThanOrEqual(7_500);
    } finally {
      await held.release();
    }
  }, 30_000);

  it('refuses a malformed token with 400 code 3 QUERY-9tmzva5b9s', async () => {
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const read = await replicaB.http().post('/v3alpha/executions/search').set('Authorization', `Bearer ${onB.token}`).set(TOKEN_HEADER, bad).send({});
      expectError(read, 400, 3, 'QUERY-9tmzva5b9s');
    }
  });
});
