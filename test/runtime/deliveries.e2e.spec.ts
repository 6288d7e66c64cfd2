import { createHmac, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { currentRequestContext } from '../../src/observability/request/request-context';
import { QueryBus } from '@nestjs/cqrs';
import { publishedEventData, publishedEventStream, RUNTIME_EVENT_PUBLISHED, type PublishedEvent } from '../../src/runtime/domain/published-event';
import { EventPublisher } from '../../src/runtime/publish/event-publisher';
import { GetTargetQuery } from '../../src/targets/queries/target.queries';
import { cliEnv, runCommand } from '../operations/support/cli';
import { seriesValue } from '../operations/support/metrics-text';
import { ApiClient } from '../support/api';
import { STORE_SETUPS, startTestApp, type TestApp } from '../support/test-app';
import { WebhookServer, type ReceivedCall } from './webhook-server';

const LOOPBACK = ['127.0.0.0/8', '::1/128'];
const MAX_ATTEMPTS = 3;

describe.each(STORE_SETUPS)('event executions: deliveries (%s)', (setup) => {
  let testApp: TestApp;
  let hooks: WebhookServer;
  let api: ApiClient;

  beforeAll(async () => {
    testApp = await startTestApp(setup, { targetAllowedNetworks: LOOPBACK }, { deliveryMaxAttempts: MAX_ATTEMPTS, deliveryRetryInitialMs: 20 });
    hooks = await WebhookServer.start();
  });
  afterAll(async () => {
    await testApp.close();
    await hooks.close();
  });
  beforeEach(async () => {
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
  });

  const unique = (): string => `/${randomUUID()}`;
  const target = (path: string, interruptOnError = false): Promise<string> =>
    api.newTarget(`hook-${randomUUID()}`, { restWebhook: { interruptOnError }, endpoint: hooks.url(path), timeout: '5s' });
  const setOn = async (event: Record<string, unknown>, targets: string[]): Promise<void> => {
    const response = await api.setExecution({ condition: { event }, targets: targets.map((id) => ({ target: id })) });
    expect(response.status).toBe(200);
  };
  const publish = (event: PublishedEvent): Promise<unknown> => testApp.app.get(EventPublisher).publish(api.instanceId, 'host-1', [event]);
  const userAdded = (id = randomUUID()): PublishedEvent => ({
    id,
    aggregateId: 'user-1',
    aggregateType: 'user',
    resourceOwner: 'org-1',
    version: 'v2',
    sequence: 7,
    eventType: 'user.human.added',
    createdAt: '2026-12-03T10:00:00.123456789Z',
    userId: 'admin-1',
    payload: { userName: 'ada' },
  });
  const callsArrive = async (path: string, count: number, timeoutMs = 10_000): Promise<ReceivedCall[]> => {
    const deadline = Date.now() + timeoutMs;
    while (hooks.callsTo(path).length < count) {
      if (Date.now() > deadline) throw new Error(`${path} got ${hooks.callsTo(path).length} calls, not ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return hooks.callsTo(path);
  };
  const listed = async (state: string, client = api): Promise<Array<Record<string, unknown>>> => {
    const response = await testApp.http().get(`/runtime/v1/deliveries?state=${state}`).set('Authorization', `Bearer ${client.token}`);
    expect(response.status).toBe(200);
    return (response.body as { deliveries: Array<Record<string, unknown>> }).deliveries;
  };
  const eventually = async (assertion: () => Promise<void>, timeoutMs = 10_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await assertion();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const settle = (ms = 300): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('delivers a published event with the ZITADEL body, signed, with an Idempotency-Key (verified with node:crypto)', async () => {
    const path = unique();
    const id = await target(path);
    await setOn({ event: 'user.human.added' }, [id]);
    const event = userAdded();
    await publish(event);

    const [call] = await callsArrive(path, 1);
    expect(JSON.parse(call!.body)).toEqual({
      aggregateID: 'user-1',
      aggregateType: 'user',
      resourceOwner: 'org-1',
      instanceID: api.instanceId,
      version: 'v2',
      sequence: 7,
      event_type: 'user.human.added',
      created_at: '2026-12-03T10:00:00.123456789Z',
      userID: 'admin-1',
      event_payload: Buffer.from(JSON.stringify({ userName: 'ada' })).toString('base64'),
    });
    expect(call!.headers['idempotency-key']).toBe(`${event.id}/${id}`);
    const key = (await testApp.app.get(QueryBus).execute(new GetTargetQuery(api.instanceId, id, { withSigningKey: true }))).signingKey!;
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(call!.headers['zitadel-signature'] as string)!;
    expect(v1).toBe(createHmac('sha256', key).update(`${t}.${call!.body}`).digest('hex'));
  });

  it('logs each attempt with the id of the request that published the event', async () => {
    const path = unique();
    await setOn({ event: 'user.human.added' }, [await target(path)]);
    const requestIds: Array<string | undefined> = [];
    const spy = jest.spyOn(Logger.prototype, 'log').mockImplementation(function (this: Logger) {
      if ((this as unknown as { context?: string }).context === 'TargetCalls') requestIds.push(currentRequestContext()?.requestId);
    });
    try {
      const published = await testApp.http().post('/runtime/v1/events').set('Authorization', `Bearer ${api.token}`).set('x-request-id', 'publish-request-1').send({ events: [userAdded()] });
      expect(published.status).toBe(202);
      await callsArrive(path, 1);
      await eventually(async () => expect(requestIds).toContain('publish-request-1'));
    } finally {
      spy.mockRestore();
    }
  });

  it('runs only the most specific event execution: the nearest group before a wider one', async () => {
    const [near, wide, all] = [unique(), unique(), unique()];
    await setOn({ group: 'user.human' }, [await target(near)]);
    await setOn({ group: 'user' }, [await target(wide)]);
    await setOn({ all: true }, [await target(all)]);
    await publish(userAdded());
    await publish({ ...userAdded(), eventType: 'user.machine.added' });
    await publish({ ...userAdded(), eventType: 'org.added' });
    await callsArrive(near, 1);
    await callsArrive(wide, 1);
    await callsArrive(all, 1);
    await settle();
    // `event` (all) also gets the service's own events (its own execution.v2.set; and a target.added
    // recorded after the index has already seen the execution): only the published ones count here.
    const published = (calls: ReceivedCall[]) =>
      calls.map((call) => (JSON.parse(call.body) as { event_type: string }).event_type).filter((type) => !type.startsWith('execution.') && !type.startsWith('target.'));
    expect([hooks.callsTo(near), hooks.callsTo(wide), hooks.callsTo(all)].map(published)).toEqual([
      ['user.human.added'],
      ['user.machine.added'],
      ['org.added'],
    ]);
  });

  it("delivers the service's own events, with their stream as the aggregate", async () => {
    const path = unique();
    await setOn({ group: 'target' }, [await target(path)]);
    const created = await api.newTarget(`other-${randomUUID()}`);
    const calls = await callsArrive(path, 1);
    const body = JSON.parse(calls[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ aggregateID: created, aggregateType: 'target', resourceOwner: api.instanceId, instanceID: api.instanceId, sequence: 1, event_type: 'target.added' });
    expect(body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    expect(JSON.parse(Buffer.from(body.event_payload as string, 'base64').toString())).not.toHaveProperty('signingKey');
  });

  it('sends every target type the same way: one signed body each, in chain order, retried; a restCall answer changes nothing', async () => {
    const [webhook, asynchronous, notJson, forwarding] = [unique(), unique(), unique(), unique()];
    const arrived: string[] = [];
    let asyncAnswers = 0;
    hooks.on(asynchronous, (_call, response) => {
      arrived.push(asynchronous);
      asyncAnswers += 1;
      response.statusCode = asyncAnswers <= 2 ? 503 : 200;
      response.end();
    });
    for (const [path, body] of [
      [webhook, ''],
      [notJson, 'not json'],
      [forwarding, JSON.stringify({ forwardedStatusCode: 403, forwardedErrorMessage: 'no' })],
    ] as const) {
      hooks.on(path, (_call, response) => {
        arrived.push(path);
        response.end(body);
      });
    }
    const typed = (kind: string, path: string): Promise<string> =>
      api.newTarget(`${kind}-${randomUUID()}`, { restWebhook: undefined, [kind]: kind === 'restAsync' ? {} : { interruptOnError: true }, endpoint: hooks.url(path), timeout: '5s' });
    const ids = [await typed('restWebhook', webhook), await typed('restAsync', asynchronous), await typed('restCall', notJson), await typed('restCall', forwarding)];
    await setOn({ event: 'user.human.added' }, ids);
    const event = userAdded();
    await publish(event);

    const [last] = await callsArrive(forwarding, 1);
    // The restAsync is awaited and retried like the others: the rest of the chain waits for it.
    expect(arrived).toEqual([webhook, asynchronous, asynchronous, asynchronous, notJson, forwarding]);
    const calls = [webhook, asynchronous, notJson, forwarding].map((path) => hooks.callsTo(path).at(-1)!);
    for (const [index, call] of calls.entries()) {
      expect(call.body).toBe(last!.body);
      expect(call.headers['idempotency-key']).toBe(`${event.id}/${ids[index]}`);
      expect(call.headers['zitadel-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    }
    // Neither the answer that is not JSON nor the forwarded error fails a delivery: nothing to replace, no run to fail.
    await eventually(async () => expect(await listed('pending')).toEqual([]));
    expect(await listed('parked')).toEqual([]);
    await settle();
    expect(hooks.callsTo(notJson)).toHaveLength(1);
    expect(hooks.callsTo(forwarding)).toHaveLength(1);
  });

  it('retries after failures and then delivers once', async () => {
    const path = unique();
    let answered = 0;
    hooks.on(path, (_call, response) => {
      answered += 1;
      response.statusCode = answered <= 2 ? 503 : 200;
      response.end();
    });
    await setOn({ event: 'user.human.added' }, [await target(path)]);
    await publish(userAdded());
    await callsArrive(path, 3);
    await settle();
    expect(hooks.callsTo(path)).toHaveLength(3);
    expect(await listed('pending')).toEqual([]);
    expect(await listed('parked')).toEqual([]);
  });

  it('parks a delivery after its last attempt, lists it to its instance only, and sends it again on retry', async () => {
    const path = unique();
    hooks.answer(path, 500);
    const id = await target(path);
    await setOn({ event: 'user.human.added' }, [id]);
    const event = userAdded();
    await publish(event);
    await callsArrive(path, MAX_ATTEMPTS);
    let parked: Array<Record<string, unknown>> = [];
    await eventually(async () => {
      parked = await listed('parked');
      expect(parked).toHaveLength(1);
    });
    const metrics = (await testApp.management().get('/metrics')).text;
    expect(seriesValue(metrics, 'actions_parked_deliveries')).toBeGreaterThanOrEqual(1);
    expect(seriesValue(metrics, 'actions_event_deliveries_total', { outcome: 'parked' })).toBeGreaterThanOrEqual(1);
    expect(seriesValue(metrics, 'actions_event_deliveries_total', { outcome: 'retried' })).toBeGreaterThanOrEqual(MAX_ATTEMPTS - 1);
    expect(seriesValue(metrics, 'actions_delivery_age_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(seriesValue(metrics, 'actions_delivery_recorder_lag_events')).toBeGreaterThanOrEqual(0);
    expect(parked[0]).toMatchObject({ eventId: event.id, eventType: 'user.human.added', targetId: id, state: 'parked', attempts: MAX_ATTEMPTS, lastError: 'answered 500' });
    expect(await listed('parked', await ApiClient.of(testApp, `instance-${randomUUID()}`))).toEqual([]);

    const env = cliEnv(testApp.config);
    const cliList = await runCommand(['deliveries', 'list', '--instance', api.instanceId, '--json'], env);
    expect([cliList.exitCode, JSON.parse(cliList.stdout)]).toEqual([0, [{ instanceId: api.instanceId, ...parked[0] }]]);
    const table = await runCommand(['deliveries', 'list', '--instance', api.instanceId], env);
    expect(table.stdout).toMatch(new RegExp(`^${String(parked[0]!.id)} +${api.instanceId} +${event.id} +user\\.human\\.added +${id} +${MAX_ATTEMPTS} `, 'm'));

    hooks.answer(path, 200);
    const retried = await runCommand(['deliveries', 'retry', String(parked[0]!.id), '--json'], env);
    expect([retried.exitCode, JSON.parse(retried.stdout)]).toEqual([0, { retried: [parked[0]!.id], notParked: [] }]);
    await callsArrive(path, MAX_ATTEMPTS + 1);
    const again = await runCommand(['deliveries', 'retry', String(parked[0]!.id)], env);
    expect([again.exitCode, again.stderr]).toEqual([1, expect.stringContaining(`not parked (or not found): ${String(parked[0]!.id)}`)]);
    await eventually(async () => expect(await listed('parked')).toEqual([]));
  });

  it('holds back the rest of the chain behind a parked target with interruptOnError, and goes on without it', async () => {
    const [failing, after, skipping, next] = [unique(), unique(), unique(), unique()];
    hooks.answer(failing, 500);
    hooks.answer(skipping, 500);
    await setOn({ event: 'user.human.added' }, [await target(failing, true), await target(after)]);
    await setOn({ event: 'user.human.changed' }, [await target(skipping, false), await target(next)]);
    await publish(userAdded());
    await publish({ ...userAdded(), eventType: 'user.human.changed' });
    await callsArrive(failing, MAX_ATTEMPTS);
    await callsArrive(next, 1);
    await eventually(async () => expect(await listed('parked')).toHaveLength(2));
    await settle();
    expect(hooks.callsTo(after)).toHaveLength(0);
    expect(await listed('pending')).toHaveLength(1);

    hooks.answer(failing, 200);
    const retried = await runCommand(['deliveries', 'retry', '--all', '--instance', api.instanceId], cliEnv(testApp.config));
    expect([retried.exitCode, retried.stdout]).toEqual([0, '2 parked deliveries will be sent again by the service\n']);
    await callsArrive(after, 1);
  });

  it('does not deliver a repeated published event (same id) twice, even one stored twice', async () => {
    const path = unique();
    await setOn({ event: 'user.human.added' }, [await target(path)]);
    const event = userAdded();
    expect(await publish(event)).toEqual({ accepted: 1, alreadyAccepted: 0 });
    expect(await publish(event)).toEqual({ accepted: 0, alreadyAccepted: 1 });
    // Stored again past PublishEvents' check (an import, say): still one delivery.
    await testApp.store.append(publishedEventStream(api.instanceId, `${event.id}-copy`), [{ type: RUNTIME_EVENT_PUBLISHED, tenant: api.instanceId, data: publishedEventData(event) }], {
      expectedRevision: 'no_stream',
    });
    await callsArrive(path, 1);
    await settle(500);
    expect(hooks.callsTo(path)).toHaveLength(1);
  });

  it('refuses an unknown state with 400 code 3 and a caller without action.target.read with 403', async () => {
    const bad = await testApp.http().get('/runtime/v1/deliveries?state=delivered').set('Authorization', `Bearer ${api.token}`);
    expect([bad.status, (bad.body as { code: number }).code]).toEqual([400, 3]);
    const runner = await ApiClient.of(testApp, api.instanceId, { roles: [], permissions: ['execution.read'] });
    const forbidden = await testApp.http().get('/runtime/v1/deliveries').set('Authorization', `Bearer ${runner.token}`);
    expect(forbidden.status).toBe(403);
  });
});
