import { randomUUID } from 'node:crypto';
import { ProjectionEngine } from '@app/eventsourcing';
import type { DataSource } from 'typeorm';
import { streamName } from '../../src/common/domain/stream-name';
import { READ_MODEL } from '../../src/persistence/persistence.tokens';
import { ApiClient } from '../support/api';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from '../support/test-app';
import { cliEnv, runCommand } from './support/cli';
import { dropRebuildSchemas } from './support/rebuild-schemas';
import { replayedSnapshot, snapshotOf } from './support/read-model-snapshot';

const SEEDED_EXECUTIONS = 1500;

describe.each(STORE_SETUPS)('projections command line (%s)', (setup) => {
  let testApp: TestApp;
  let api: ApiClient;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    testApp = await startTestApp(setup);
    env = cliEnv(testApp.config);
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    // A log long enough for a rebuild to take many batches: executions set directly in the store.
    const target = await api.newTarget('seed-target');
    for (let first = 0; first < SEEDED_EXECUTIONS; first += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, offset) =>
          testApp.store.append(
            streamName('execution', api.instanceId, `event/seed.${first + offset}`),
            [{ type: 'execution.v2.set', tenant: api.instanceId, data: { targets: [{ type: 2, target }] } }],
            { expectedRevision: 'no_stream' },
          ),
        ),
      );
    }
    await storedEvents(testApp, {});
    await testApp.app.get(ProjectionEngine).catchUp();
  });
  afterAll(async () => {
    await dropRebuildSchemas(testApp.config.databaseUrl);
    await testApp.close();
  });

  it('reports positions, the head, lag in events and subscribers as JSON and as tables', async () => {
    const head = await testApp.store.headPosition();
    const json = await runCommand(['projections', 'status', '--json'], env);
    expect(json).toMatchObject({ exitCode: 0, stderr: '' });
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ eventStore: setup, headPosition: head });
    expect(report.projections.map((projection: { name: string }) => projection.name)).toEqual(['executions', 'targets']);
    expect(report.projections[0]).toMatchObject({ name: 'executions', position: head, lagPositions: 0, lagEvents: 0, errorCount: 0, lastError: null, rebuild: null });
    expect(report.projections[0].eventsProcessed).toBeGreaterThanOrEqual(SEEDED_EXECUTIONS);
    expect(report.subscribers).toEqual([expect.objectContaining({ name: 'execution-target-cleanup', failedEvents: 0 })]);

    const table = await runCommand(['projections', 'list'], env);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^PROJECTION +POSITION +HEAD +LAG \(EVENTS\)/);
    expect(table.stdout).toMatch(new RegExp(`^executions +${head} +${head} +0 `, 'm'));
    expect(table.stdout).toMatch(/^SUBSCRIBER +POSITION/m);
    expect(table.stdout).toMatch(/^execution-target-cleanup +\d+ +\d+ +\d+ +0 /m);
  });

  it('counts the events a stopped projection trails by', async () => {
    const before = JSON.parse((await runCommand(['projections', 'status', '--json'], env)).stdout);
    const engine = testApp.app.get(ProjectionEngine);
    await engine.stop();
    try {
      const target = await api.newTarget(`lagging-${randomUUID()}`);
      await api.setExecution({ condition: { event: { event: 'lag.test' } }, targets: [{ target }] });
      await storedEvents(testApp, {});
      const report = JSON.parse((await runCommand(['projections', 'status', '--json'], env)).stdout);
      const executions = report.projections.find((projection: { name: string }) => projection.name === 'executions');
      // Created a target (and its name reservation) and set one execution since the last report.
      const appended = (await testApp.store.readAll({ fromPosition: before.headPosition + 1 })).events;
      expect(appended.map((event) => event.type)).toContain('execution.v2.set');
      expect(executions.lagEvents).toBe(appended.length);
    } finally {
      await engine.start();
      await engine.catchUp();
    }
  });

  it('rebuilds a projection while the service takes writes and reads, without a failed request', async () => {
    let loading = true;
    const failures: string[] = [];
    const load = (async () => {
      for (let round = 0; loading; round += 1) {
        const target = await api.newTarget(`load-${round}-${randomUUID()}`).catch((error: Error) => (failures.push(error.message), undefined));
        if (!target) continue;
        const set = await api.setExecution({ condition: { event: { event: `load.${round}` } }, targets: [{ target }] });
        if (set.status !== 200) failures.push(`set ${set.status}`);
        const list = await api.listExecutions({ queries: [{ targetQuery: { targetId: target } }] });
        if (list.status !== 200 || list.body.result.length !== 1) failures.push(`list ${list.status} ${JSON.stringify(list.body)}`);
      }
    })();
    // The service's operations endpoint shows the command line's rebuild while it runs.
    const systemToken = await testApp.token('system', { roles: ['SYSTEM_OWNER'] });
    const seenByService: Array<{ state: string; done: number; total: number }> = [];
    const watch = (async () => {
      while (loading) {
        const progress = await testApp.http().get('/system/v1/projections/executions/rebuild').set('Authorization', `Bearer ${systemToken}`);
        if (progress.status === 200) seenByService.push(progress.body);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const progressLines: string[] = [];
    const rebuilt = await runCommand(['projections', 'rebuild', 'executions', '--batch-size', '100', '--progress-interval', '1'], env, {
      onStderr: (text) => progressLines.push(text),
    });
    loading = false;
    await Promise.all([load, watch]);
    expect(seenByService.some((job) => job.state === 'running' && job.done > 0 && job.done < job.total)).toBe(true);
    const finished = (await testApp.http().get('/system/v1/projections/executions/rebuild').set('Authorization', `Bearer ${systemToken}`)).body;
    expect(finished).toMatchObject({ projection: 'executions', state: 'done', phase: 'done', error: null });
    expect(finished.done).toBe(finished.total);

    expect(failures).toEqual([]);
    expect(rebuilt.exitCode).toBe(0);
    expect(rebuilt.stdout).toMatch(/^rebuilt executions: \d+ events reduced, now at position \d+, in [\d.]+ s\n$/);
    expect(progressLines.some((line) => /^rebuild executions: replaying \d+\/\d+ \(\d+%\)/.test(line))).toBe(true);
    expect(progressLines.some((line) => line.startsWith('rebuild executions: done'))).toBe(true);

    await storedEvents(testApp, {});
    await testApp.app.get(ProjectionEngine).catchUp();
    const live = await snapshotOf(testApp.app.get<DataSource>(READ_MODEL));
    expect(live.executions.length).toBeGreaterThan(SEEDED_EXECUTIONS);
    expect(live).toEqual(await replayedSnapshot(testApp.store));
  });

  it('resumes an interrupted rebuild, or starts over with --fresh', async () => {
    const interrupt = new AbortController();
    const first = await runCommand(['projections', 'rebuild', 'executions', '--batch-size', '50', '--progress-interval', '1'], env, {
      interrupt: interrupt.signal,
      onStderr: (text) => {
        const match = /replaying (\d+)\//.exec(text);
        if (match && Number(match[1]) > 0) interrupt.abort();
      },
    });
    expect(first.exitCode).toBe(1);
    expect(first.stderr).toContain('error: rebuild of "executions" interrupted; run the command again to resume it');
    const systemToken = await testApp.token('system', { roles: ['SYSTEM_OWNER'] });
    const shown = await testApp.http().get('/system/v1/projections/executions/rebuild').set('Authorization', `Bearer ${systemToken}`);
    expect(shown.body).toMatchObject({ state: 'failed', error: expect.stringContaining('rebuild of "executions" interrupted; run the command again to resume it') });

    const status = JSON.parse((await runCommand(['projections', 'status', '--json'], env)).stdout);
    const interrupted = status.projections.find((projection: { name: string }) => projection.name === 'executions').rebuild;
    expect(interrupted.position).toBeGreaterThan(0);
    expect((await runCommand(['projections', 'status'], env)).stdout).toContain(`interrupted at ${interrupted.position}`);

    const resumed = await runCommand(['projections', 'rebuild', 'executions', '--json'], env);
    expect(resumed.exitCode).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ projection: 'executions', resumedFrom: interrupted.position });

    const fresh = await runCommand(['projections', 'rebuild', 'executions', '--fresh', '--json'], env);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ resumedFrom: 0 });
    expect(JSON.parse((await runCommand(['projections', 'status', '--json'], env)).stdout).projections[0].rebuild).toBeNull();
  });

  it('refuses an unknown projection by name', async () => {
    const result = await runCommand(['projections', 'rebuild', 'nope'], env);
    expect(result).toMatchObject({ exitCode: 1, stdout: '' });
    expect(result.stderr).toBe('error: unknown projection "nope" (projections: executions, targets)\n');
  });
});
