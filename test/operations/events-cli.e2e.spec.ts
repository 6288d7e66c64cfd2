import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, type EventStore, type StoredEvent } from '@app/event-store';
import { Client } from 'pg';
import { ApiClient, SESSION_LIST } from '../support/api';
import { TEST_DATABASE_URL, startTestApp, storedEvents, type StoreSetup, type TestApp } from '../support/test-app';
import { cliEnv, runCommand, stdinOf } from './support/cli';
import { replayedSnapshot } from './support/read-model-snapshot';

interface EmptyStore {
  env: NodeJS.ProcessEnv;
  open(): Promise<EventStore>;
  drop(): Promise<void>;
}

/** A fresh, empty event store of `setup` and the environment that makes the command line use it. */
async function emptyStore(setup: StoreSetup): Promise<EmptyStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'import-target-'));
  if (setup === 'sqlite') {
    return {
      env: { DATA_DIR: dataDir, EVENT_STORE: 'sqlite', LOG_LEVEL: 'silent' },
      open: () => createEventStore({ kind: 'sqlite', file: join(dataDir, 'events.db') }),
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const schema = `import_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const withPg = async (sql: string): Promise<void> => {
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await withPg(`CREATE SCHEMA ${schema}`);
  return {
    env: { DATA_DIR: dataDir, EVENT_STORE: 'postgres', DATABASE_URL: `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}schema=${schema}`, LOG_LEVEL: 'silent' },
    open: () => createEventStore({ kind: 'postgres', connectionString: TEST_DATABASE_URL, schema }),
    drop: async () => {
      await withPg(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A PostgreSQL store shows appends only once every older writing transaction of the database
 * has ended (other suites share it), so a fresh reader may trail a finished import briefly.
 */
async function waitForEvents(store: EventStore, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await store.readAll({ maxCount: count + 1 })).events.length < count) {
    if (Date.now() > deadline) throw new Error(`the store never showed ${count} events`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const parseLines = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Positions belong to each store; everything else must survive the trip. */
const withoutPositions = (events: Array<Record<string, unknown>>): Array<Record<string, unknown>> => events.map(({ position: _position, ...rest }) => rest);

/** Everything an event is but its position, which belongs to each store. */
const identity = (event: StoredEvent): unknown[] => [event.id, event.stream, event.revision, event.type, event.tenant, event.createdAt.toISOString(), event.data, event.metadata];

describe.each([
  ['sqlite', 'postgres'],
  ['postgres', 'sqlite'],
] as const)('events command line: %s log exported and imported into %s', (sourceSetup, targetSetup) => {
  let testApp: TestApp;
  let api: ApiClient;
  let env: NodeJS.ProcessEnv;
  let scratch: string;

  beforeAll(async () => {
    testApp = await startTestApp(sourceSetup);
    env = cliEnv(testApp.config);
    scratch = mkdtempSync(join(tmpdir(), 'events-cli-'));
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`, { subject: 'exporter' });
    const other = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    const [first, second] = [await api.newTarget('first'), await api.newTarget('second')];
    await api.updateTarget(second, { endpoint: 'https://example.com/changed' });
    await api.setExecution({ condition: { request: { method: SESSION_LIST } }, targets: [{ target: first }, { target: second }] });
    await api.setExecution({ condition: { event: { group: 'user.human' } }, targets: [{ target: first }] });
    await api.deleteTarget(first);
    await other.newTarget('elsewhere');
    await storedEvents(testApp, {});
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('lists events by type prefix, instance, position range and stream', async () => {
    const all = (await testApp.store.readAll({})).events;
    const targetEvents = all.filter((event) => event.type.startsWith('target.') && event.tenant === api.instanceId);
    const byType = await runCommand(['events', 'list', '--type', 'target.', '--tenant', api.instanceId, '--json'], env);
    expect(byType.exitCode).toBe(0);
    expect(parseLines(byType.stdout).map((event) => event.id)).toEqual(targetEvents.map((event) => event.id));

    const [, third, fourth] = all;
    const range = await runCommand(['events', 'list', '--from', String(third.position), '--to', String(fourth.position), '--json'], env);
    expect(parseLines(range.stdout).map((event) => event.position)).toEqual([third.position, fourth.position]);
    const limited = await runCommand(['events', 'list', '--limit', '2', '--json'], env);
    expect(parseLines(limited.stdout)).toHaveLength(2);

    const stream = targetEvents[0].stream;
    const table = await runCommand(['events', 'list', '--stream', stream], env);
    expect(table.stdout).toMatch(/^POSITION +CREATED AT +TYPE +STREAM +REV +TENANT\n/);
    expect(table.stdout.trim().split('\n').slice(1).map((line) => line.split(/ +/)[2])).toEqual(all.filter((event) => event.stream === stream).map((event) => event.type));
  });

  it('exports the log and imports it into an empty store of the other kind, identical but for positions, creation times and read model included', async () => {
    const exportFile = join(scratch, `log-${targetSetup}.jsonl`);
    const exported = await runCommand(['events', 'export', '--out', exportFile], env);
    expect(exported.exitCode).toBe(0);
    const sourceEvents = (await testApp.store.readAll({})).events;
    expect(exported.stderr).toBe(`exported ${sourceEvents.length} event(s) to ${exportFile}\n`);
    const lines = parseLines(readFileSync(exportFile, 'utf8'));
    expect(lines).toEqual(
      sourceEvents.map((event) => ({
        id: event.id,
        stream: event.stream,
        revision: event.revision,
        type: event.type,
        tenant: event.tenant,
        position: event.position,
        createdAt: event.createdAt.toISOString(),
        data: event.data,
        metadata: event.metadata,
      })),
    );

    const target = await emptyStore(targetSetup);
    try {
      const imported = await runCommand(['events', 'import', '--in', exportFile], target.env);
      expect(imported).toMatchObject({ exitCode: 0, stderr: `imported ${sourceEvents.length} event(s)\n` });

      const store = await target.open();
      try {
        await waitForEvents(store, lines.length);
        const reExported = await runCommand(['events', 'export'], target.env);
        expect(withoutPositions(parseLines(reExported.stdout))).toEqual(withoutPositions(lines));
        const copies = (await store.readAll({})).events;
        expect(copies.map(identity)).toEqual(sourceEvents.map(identity));
        // The source's events were appended minutes ago at the latest; the copies keep their times, not the import's.
        expect(new Set(copies.map((event) => event.createdAt.getTime())).size).toBeGreaterThan(1);
        const sourceReadModel = await replayedSnapshot(testApp.store);
        expect(sourceReadModel.targets.length).toBeGreaterThan(0);
        expect(await replayedSnapshot(store)).toEqual(sourceReadModel);
      } finally {
        await store.close();
      }

      const again = await runCommand(['events', 'import'], { ...target.env }, { stdin: stdinOf(readFileSync(exportFile, 'utf8')) });
      expect(again).toMatchObject({ exitCode: 1, stdout: '' });
      expect(again.stderr).toContain('error: the target event store is not empty');
    } finally {
      await target.drop();
    }
  });

  it('reads stdin, names the line of a malformed event, and resumes with --force', async () => {
    const target = await emptyStore(targetSetup);
    try {
      const log = (await runCommand(['events', 'export'], env)).stdout;
      const [good] = log.split('\n');
      const result = await runCommand(['events', 'import'], target.env, { stdin: stdinOf(`${good}\n{"id":"not-a-uuid"}\n`) });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe('error: line 2: "id" must be a UUID (1 event(s) imported before it)\n');
      // What came before the bad line is stored, so a corrected file resumes with --force.
      const store = await target.open();
      try {
        await waitForEvents(store, 1);
        expect((await store.readAll({})).events.map((event) => event.id)).toEqual([JSON.parse(good).id]);
      } finally {
        await store.close();
      }
      const events = parseLines(log).length;
      const resumed = await runCommand(['events', 'import', '--force'], target.env, { stdin: stdinOf(log) });
      expect(resumed).toMatchObject({ exitCode: 0, stderr: `imported ${events - 1} event(s) (1 already stored, left as they were)\n` });
      const again = await runCommand(['events', 'import', '--force'], target.env, { stdin: stdinOf(log) });
      expect(again).toMatchObject({ exitCode: 0, stderr: `imported 0 event(s) (${events} already stored, left as they were)\n` });
    } finally {
      await target.drop();
    }
  });

  it('refuses events that do not continue their streams, naming the lines and storing none of them', async () => {
    const target = await emptyStore(targetSetup);
    try {
      const lines = (await runCommand(['events', 'export'], env)).stdout.split('\n').filter((line) => line !== '');
      const [first, second] = lines.map((line) => JSON.parse(line) as { id: string; stream: string; revision: number });
      const gap = JSON.stringify({ ...JSON.parse(lines[1]), revision: 7 });
      const result = await runCommand(['events', 'import'], target.env, { stdin: stdinOf(`${lines[0]}\n${gap}\n`) });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(
        `error: the events of lines 1-2 were not imported: Event ${second.id} has revision 7 of stream "${second.stream}", but the stream's next revision is ` +
          `${second.stream === first.stream ? first.revision + 1 : 0} (0 event(s) imported before them)\n`,
      );
      const store = await target.open();
      try {
        expect(await store.headPosition()).toBe(0);
      } finally {
        await store.close();
      }
    } finally {
      await target.drop();
    }
  });

  it('follows new events until the count is reached, or until interrupted', async () => {
    const from = (await testApp.store.headPosition()) + 1;
    const tail = runCommand(['events', 'tail', '--from', String(from), '--count', '2', '--json', '--tenant', api.instanceId], env);
    await api.newTarget(`tailed-${randomUUID()}`);
    const result = await tail;
    expect(result.exitCode).toBe(0);
    const tailed = parseLines(result.stdout);
    expect(tailed).toHaveLength(2);
    expect(tailed.every((event) => event.tenant === api.instanceId && Number(event.position) >= from)).toBe(true);

    const interrupt = new AbortController();
    const idle = runCommand(['events', 'tail'], env, { interrupt: interrupt.signal });
    setTimeout(() => interrupt.abort(), 100);
    expect(await idle).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });
});
