import { randomUUID } from 'node:crypto';
import { streamName } from '../../src/common/domain/stream-name';
import { EXECUTION_TARGET_CLEANUP } from '../../src/subscribers/built-in-subscribers';
import { ServiceSubscribers } from '../../src/subscribers/service-subscribers';
import { ApiClient } from '../support/api';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from '../support/test-app';
import { cliEnv, runCommand } from './support/cli';
import { seriesValue } from './support/metrics-text';

/** A full method name the shipped catalogue does not list. */
const GONE_METHOD = '/zitadel.gone.v1.GoneService/Call';

describe.each(STORE_SETUPS)('subscribers command line (%s)', (setup) => {
  let testApp: TestApp;
  let api: ApiClient;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    process.env.SUBSCRIBER_MAX_ATTEMPTS = '2';
    process.env.SUBSCRIBER_RETRY_INITIAL_MS = '10';
    testApp = await startTestApp(setup);
    delete process.env.SUBSCRIBER_MAX_ATTEMPTS;
    delete process.env.SUBSCRIBER_RETRY_INITIAL_MS;
    env = cliEnv(testApp.config);
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
  });
  afterAll(() => testApp.close());

  it('lists an event the cleanup gave up on, and resolves it by a retry once the cause is fixed', async () => {
    const removed = await api.newTarget('removed');
    expect((await api.deleteTarget(removed)).status).toBe(200);
    // A set that passed its checks before the removal landed, for a method the catalogue no
    // longer lists: the cleaned-up list is refused (COMMAND-vysplsevt8).
    const kept = await api.newTarget('kept');
    const execution = streamName('execution', api.instanceId, `request${GONE_METHOD}`);
    await testApp.store.append(
      execution,
      [{ type: 'execution.v2.set', tenant: api.instanceId, data: { targets: [{ type: 2, target: removed }, { type: 2, target: kept }] } }],
      { expectedRevision: 'no_stream' },
    );
    await storedEvents(testApp, {});
    await (await testApp.app.get(ServiceSubscribers).get()).catchUp();

    const listed = await runCommand(['subscribers', 'failed', '--json'], env);
    expect(listed.exitCode).toBe(0);
    // The set event fails; so may the removal, when the read model already showed the set.
    const failed: Array<{ id: number; type: string; error: string }> = JSON.parse(listed.stdout);
    expect(failed.map((event) => event.type)).toContain('execution.v2.set');
    for (const event of failed) {
      expect(event).toMatchObject({ subscriber: EXECUTION_TARGET_CLEANUP, attempts: 2, status: 'failed' });
      expect(event.error).toContain('COMMAND-vysplsevt8');
    }
    const table = await runCommand(['subscribers', 'failed', '--subscriber', EXECUTION_TARGET_CLEANUP], env);
    expect(table.stdout).toMatch(new RegExp(`^${failed[0].id} +${EXECUTION_TARGET_CLEANUP} +\\d+ +${failed[0].type.replace('.', '\\.')} `, 'm'));
    const status = JSON.parse((await runCommand(['projections', 'status', '--json'], env)).stdout);
    expect(status.subscribers).toEqual([expect.objectContaining({ name: EXECUTION_TARGET_CLEANUP, failedEvents: failed.length, eventsParked: failed.length })]);

    const metrics = (await testApp.management().get('/metrics')).text;
    const labels = { subscriber: EXECUTION_TARGET_CLEANUP };
    expect(seriesValue(metrics, 'actions_subscriber_failures_total', labels)).toBe(2 * failed.length);
    expect(seriesValue(metrics, 'actions_subscriber_parked_events_total', labels)).toBe(failed.length);
    expect(seriesValue(metrics, 'actions_subscriber_failed_events', labels)).toBe(failed.length);
    expect(seriesValue(metrics, 'actions_subscriber_lag_events', labels)).toBe(0);

    const stillFailing = await runCommand(['subscribers', 'retry', '--subscriber', EXECUTION_TARGET_CLEANUP], env);
    expect(stillFailing.exitCode).toBe(1);
    expect(stillFailing.stdout).toMatch(new RegExp(`^resolved 0, failed again ${failed.length}\n`));
    expect(stillFailing.stderr).toContain(`${failed.length} event(s) failed again`);

    // The operator's fix: delete the execution (Delete does not consult the catalogue).
    expect((await api.deleteExecution({ condition: { request: { method: GONE_METHOD } } })).status).toBe(200);
    const retried = await runCommand(['subscribers', 'retry', ...failed.flatMap((event) => ['--id', String(event.id)]), '--json'], env);
    expect(retried.exitCode).toBe(0);
    const outcome = JSON.parse(retried.stdout);
    expect(outcome.failed).toEqual([]);
    expect(outcome.resolved.map((event: { id: number }) => event.id).sort()).toEqual(failed.map((event) => event.id).sort());
    expect(outcome.resolved[0]).toMatchObject({ status: 'resolved', attempts: 4 });
    expect(JSON.parse((await runCommand(['subscribers', 'failed', '--json'], env)).stdout)).toEqual([]);
    expect(JSON.parse((await runCommand(['subscribers', 'failed', '--all', '--json'], env)).stdout)).toHaveLength(failed.length);

    expect((await api.listExecutions()).body.result).toEqual([]);
  });

  it('refuses an unknown subscriber and both selections at once', async () => {
    expect((await runCommand(['subscribers', 'failed', '--subscriber', 'nope'], env)).stderr).toBe(
      `error: unknown subscriber "nope" (subscribers: ${EXECUTION_TARGET_CLEANUP})\n`,
    );
    expect((await runCommand(['subscribers', 'retry', '--subscriber', EXECUTION_TARGET_CLEANUP, '--id', '1'], env)).stderr).toBe(
      'error: give either --subscriber or --id, not both\n',
    );
    expect((await runCommand(['subscribers', 'retry', '--id', 'x'], env)).stderr).toContain('must be the id of a failed event');
  });
});
