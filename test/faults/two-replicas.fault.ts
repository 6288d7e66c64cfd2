import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { embeddedToken } from '../../bench/support/api-client';
import { ServiceProcess } from '../../bench/support/service-process';
import { POSTGRES_URL, ServiceStorage } from '../../bench/support/storage';
import { reportFigures } from './support/report';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const TOKEN_HEADER = 'x-consistency-token';
const CLEANUP = 'execution-target-cleanup';
const LEASE_MS = 2_000;

interface Answer {
  status: number;
  body: { result?: Array<{ Condition: unknown; targets: Array<{ target: string }> }>; id?: string };
  token: string | null;
  ms: number;
}

interface SubscriberDetails {
  position: number;
  lagEvents: number;
  leaseHolder: string | null;
  heldHere: boolean;
}

/** One instance's caller of one replica, with the consistency token of each answer. */
function caller(service: ServiceProcess, token: string) {
  const call = async (method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const started = performance.now();
    const response = await fetch(service.url(path), {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: response.status, body: (await response.json()) as Answer['body'], token: response.headers.get(TOKEN_HEADER), ms: performance.now() - started };
  };
  return {
    createTarget: (name: string) => call('POST', '/v3alpha/targets', { name, restWebhook: {}, timeout: '5s', endpoint: `https://hooks.example.com/${name}` }),
    deleteTarget: (id: string) => call('DELETE', `/v3alpha/targets/${id}`, {}),
    setExecution: (event: string, targets: string[]) => call('PUT', '/v3alpha/executions', { condition: { event: { event } }, targets: targets.map((target) => ({ target })) }),
    listExecutions: (consistencyToken?: string) => call('POST', '/v3alpha/executions/search', {}, consistencyToken ? { [TOKEN_HEADER]: consistencyToken } : {}),
  };
}

/** What a replica's /readyz says of the cleanup subscriber. */
async function subscriberOf(service: ServiceProcess): Promise<SubscriberDetails> {
  const ready = (await (await fetch(service.managementUrl('/readyz'))).json()) as { details: { subscribers: Record<string, SubscriberDetails> } };
  return ready.details.subscribers[CLEANUP];
}

function logRecords(service: ServiceProcess): Array<Record<string, unknown>> {
  return readFileSync(service.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * `BEGIN; SELECT pg_current_xact_id(); SELECT pg_sleep(seconds);` on a session of its own, as
 * any other client of the database may do: until it commits, no replica reads events appended
 * after it began.
 */
async function holdTransaction(seconds: number): Promise<{ committed: Promise<void> }> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT pg_current_xact_id()');
  const committed = client
    .query('SELECT pg_sleep($1)', [seconds])
    .then(() => client.query('COMMIT'))
    .then(() => client.end());
  return { committed };
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

describe('two replicas on one PostgreSQL schema', () => {
  let storage: ServiceStorage;
  const replicas: ServiceProcess[] = [];
  let token: string;

  beforeAll(async () => {
    storage = await ServiceStorage.create('postgres');
    // One after the other: the first makes the embedded key pair and the encryption key they share.
    for (const name of ['a', 'b']) {
      replicas.push(await ServiceProcess.start({ storage, logFile: join(storage.dataDir, `replica-${name}.log`), logLevel: 'info', env: { SUBSCRIBER_LEASE_MS: String(LEASE_MS) } }));
    }
    token = await embeddedToken(storage.dataDir, 'two-replicas');
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await storage.drop();
  });

  it('shows a write answered by A in a list on B that passes its consistency token, while a transaction is held open; without the token B answers what it can see', async () => {
    const [onA, onB] = replicas.map((replica) => caller(replica, token));
    const target = await onA.createTarget('ryw-hook');
    expect(target.status).toBe(201);

    const held = await holdTransaction(4);
    const set = await onA.setExecution('user.ryw', [target.body.id!]);
    expect(set.status).toBe(200);
    expect(set.token).toMatch(/^\d+$/);

    // Documented: without the token, B shows what its projections have reduced, and the held
    // transaction keeps the write out of every reader's reach.
    const withoutToken = await onB.listExecutions();
    expect(withoutToken.status).toBe(200);
    expect(withoutToken.body.result).toEqual([]);

    // With the token, B waits for the write (here: for the transaction to end); A shows its own write.
    const [withToken, onItsOwnReplica] = await Promise.all([onB.listExecutions(set.token!), onA.listExecutions()]);
    expect(withToken.status).toBe(200);
    expect(withToken.body.result!.map((execution) => execution.Condition)).toEqual([{ event: { event: 'user.ryw' } }]);
    expect(onItsOwnReplica.body.result).toHaveLength(1);
    await held.committed;
    // Once the transaction ended, B shows it without a token too.
    expect((await onB.listExecutions()).body.result).toHaveLength(1);
    reportFigures('two replicas, read-your-writes with a transaction held 4 s', {
      listOnBWithoutTokenMs: Math.round(withoutToken.ms),
      listOnBWithTokenMs: Math.round(withToken.ms),
      listOnAMs: Math.round(onItsOwnReplica.ms),
    });
  });

  it('after kill -9 of the replica holding the subscriber lease, the other takes it over, logs it, and reduces and handles new events', async () => {
    const holding = await eventually(() => subscriberOf(replicas[0]), (details) => details.leaseHolder !== null, 10_000);
    expect(holding.leaseHolder).not.toBeNull();
    const holderIndex = replicas.findIndex((replica) => holding.leaseHolder!.includes(`:${replica.pid}:`));
    expect(holderIndex).toBeGreaterThanOrEqual(0);
    const [doomed, survivor] = holderIndex === 0 ? [replicas[0], replicas[1]] : [replicas[1], replicas[0]];
    const killedAt = performance.now();
    expect(await doomed.kill()).toMatchObject({ signal: 'SIGKILL' });
    replicas.splice(replicas.indexOf(doomed), 1);

    // Writes on the survivor: an execution on two targets, then one of them deleted; the cleanup
    // subscriber (now the survivor's) must drop it from the execution.
    const onSurvivor = caller(survivor, token);
    const [kept, removed] = [await onSurvivor.createTarget('kept'), await onSurvivor.createTarget('removed')];
    expect((await onSurvivor.setExecution('user.takeover', [kept.body.id!, removed.body.id!])).status).toBe(200);
    expect((await onSurvivor.deleteTarget(removed.body.id!)).status).toBe(200);
    const listed = await eventually(
      () => onSurvivor.listExecutions(),
      (answer) => answer.body.result?.find((execution) => JSON.stringify(execution.Condition).includes('user.takeover'))?.targets.length === 1,
      LEASE_MS * 5,
    );
    const cleanedAfterMs = performance.now() - killedAt;
    expect(listed.body.result!.find((execution) => JSON.stringify(execution.Condition).includes('user.takeover'))!.targets).toEqual([{ target: kept.body.id }]);

    const takeovers = logRecords(survivor).filter((record) => record.msg === 'Took over a subscriber whose runner stopped renewing its lease');
    expect(takeovers).toEqual([expect.objectContaining({ level: 40, subscriber: CLEANUP, previousOwner: holding.leaseHolder, staleForMs: expect.any(Number) })]);
    expect(takeovers[0].staleForMs as number).toBeGreaterThanOrEqual(LEASE_MS);
    const after = await subscriberOf(survivor);
    expect(after).toMatchObject({ heldHere: true, lagEvents: 0 });
    expect(after.leaseHolder).toContain(`:${survivor.pid}:`);
    reportFigures('two replicas, kill -9 of the subscriber lease holder', {
      leaseMs: LEASE_MS,
      staleForMs: takeovers[0].staleForMs,
      killToCleanupVisibleMs: Math.round(cleanedAfterMs),
    });
  });
});
