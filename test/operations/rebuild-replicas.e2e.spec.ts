import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import { streamName } from '../../src/common/domain/stream-name';
import type { RebuildJob } from '../../src/system/system-views';
import { ApiClient, expectError } from '../support/api';
import { dropRebuildSchemas } from './support/rebuild-schemas';
import { startReplica, startTestApp, storedEvents, TEST_DATABASE_URL, type TestApp } from '../support/test-app';

/**
 * Events of the executions projection in the log: a rebuild of many batches (1,000 each), long
 * enough on a fast machine for the replica to read it part-way (progress is written every 200 ms).
 */
const SEEDED_EVENTS = 20_000;

jest.setTimeout(90_000);

describe('a rebuild started on one replica, watched from another (postgres)', () => {
  let primary: TestApp;
  let replica: TestApp;
  let systemToken: string;

  const asSystem = (app: TestApp, method: 'get' | 'post', path: string) => app.http()[method](path).set('Authorization', `Bearer ${systemToken}`);

  beforeAll(async () => {
    primary = await startTestApp('postgres');
    replica = await startReplica(primary);
    systemToken = await primary.token('system', { roles: ['SYSTEM_OWNER'] });
    const api = await ApiClient.of(primary, `instance-${randomUUID()}`);
    const target = await api.newTarget('seed-target');
    // Each stream takes 100 settings of its execution in one append: a long log, written quickly.
    const streams = Array.from({ length: SEEDED_EVENTS / 100 }, (_, index) => streamName('execution', api.instanceId, `event/seed.${index}`));
    for (let first = 0; first < streams.length; first += 20) {
      await Promise.all(
        streams.slice(first, first + 20).map((stream) =>
          primary.store.append(
            stream,
            Array.from({ length: 100 }, () => ({ type: 'execution.v2.set', tenant: api.instanceId, data: { targets: [{ type: 2, target }] } })),
            { expectedRevision: 'no_stream' },
          ),
        ),
      );
    }
    await storedEvents(primary, {});
    await primary.app.get(ProjectionEngine).catchUp();
  }, 120_000);

  afterAll(async () => {
    await replica?.close();
    await dropRebuildSchemas(primary?.config.databaseUrl);
    await primary?.close();
  });

  it("shows the other replica's rebuild moving to done, and refuses a second one there while it runs", async () => {
    expectError(await asSystem(replica, 'get', '/system/v1/projections/executions/rebuild'), 404, 5, 'SYSTEM-9c1kx5vb3n');

    const started = await asSystem(primary, 'post', '/system/v1/projections/executions/rebuild');
    expect(started.status).toBe(202);

    const seen: RebuildJob[] = [];
    let refusedThere = false;
    let listedRebuilding = false;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const progress = await asSystem(replica, 'get', '/system/v1/projections/executions/rebuild');
      if (progress.status === 404) {
        // Not written yet: the primary is counting the log.
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      expect(progress.status).toBe(200);
      const job = progress.body as RebuildJob;
      seen.push(job);
      if (job.state !== 'running') break;
      if (!refusedThere) {
        expectError(await asSystem(replica, 'post', '/system/v1/projections/executions/rebuild'), 409, 10, 'SYSTEM-2h7tp0ys6e');
        refusedThere = true;
      }
      if (!listedRebuilding) {
        const listed = (await asSystem(replica, 'get', '/system/v1/projections')).body.projections.find((projection: { name: string }) => projection.name === 'executions');
        // The list reads the same row, which may have finished in between.
        listedRebuilding = listed.status === 'rebuilding' || listed.rebuild.state !== 'running';
        expect(listedRebuilding).toBe(true);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const last = seen[seen.length - 1]!;
    expect(last).toMatchObject({ projection: 'executions', state: 'done', phase: 'done', error: null });
    expect(last.total).toBeGreaterThanOrEqual(SEEDED_EVENTS);
    expect(last.done).toBe(last.total);
    // It moved: the replica saw it part-way, then done, and only forward. (How many part-way
    // steps it sees depends on the machine's speed, so one is all that is asked.)
    const partWay = seen.filter((job) => job.state === 'running' && job.done > 0 && job.done < job.total);
    expect(partWay.length).toBeGreaterThanOrEqual(1);
    const dones = seen.map((job) => job.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(refusedThere).toBe(true);

    // Both replicas answer the same finished rebuild.
    const [onPrimary, onReplica] = await Promise.all([primary, replica].map((app) => asSystem(app, 'get', '/system/v1/projections/executions/rebuild')));
    expect(onReplica.body).toEqual(onPrimary.body);
    const listed = (await asSystem(replica, 'get', '/system/v1/projections')).body.projections.find((projection: { name: string }) => projection.name === 'executions');
    expect(listed).toMatchObject({ status: 'live', rebuild: { state: 'done', done: last.total } });
  });

  it('reports a rebuild whose replica stopped writing as failed, saying so, and lets it be started again', async () => {
    // What a replica killed mid-rebuild leaves behind: a running row nobody writes any more.
    const schema = new URL(primary.config.databaseUrl!).searchParams.get('schema')!;
    const stoppedAt = new Date(Date.now() - 60_000).toISOString();
    await withPg((client) =>
      client.query(
        `INSERT INTO ${client.escapeIdentifier(schema)}.projection_rebuild_jobs
           (name, job_id, replica, state, phase, done, total, events_per_second, eta_seconds, started_at, finished_at, updated_at, position, error)
         VALUES ('targets', 'gone', 'gone-host:4242', 'running', 'replaying', 5, 10, 100, 1, $1, NULL, $1, NULL, NULL)
         ON CONFLICT (name) DO UPDATE SET job_id = 'gone', replica = 'gone-host:4242', state = 'running', updated_at = $1, finished_at = NULL, error = NULL`,
        [stoppedAt],
      ),
    );
    const progress = await asSystem(replica, 'get', '/system/v1/projections/targets/rebuild');
    expect(progress.status).toBe(200);
    expect(progress.body).toMatchObject({ projection: 'targets', state: 'failed', done: 5, total: 10 });
    expect(progress.body.error).toMatch(/^The process running it \(gone-host:4242\) stopped reporting \d+ s ago; start the rebuild again to resume it$/);

    expect((await asSystem(replica, 'post', '/system/v1/projections/targets/rebuild')).status).toBe(202);
    for (let polls = 0; polls < 500; polls += 1) {
      const job = (await asSystem(primary, 'get', '/system/v1/projections/targets/rebuild')).body as RebuildJob;
      if (job.state !== 'running' && job.error === null) {
        expect(job).toMatchObject({ state: 'done', phase: 'done' });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the rebuild started again never finished');
  });
});

async function withPg<T>(job: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await job(client);
  } finally {
    await client.end();
  }
}
