import { randomUUID } from 'node:crypto';
import { ApiClient, SESSION_LIST } from '../support/api';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from '../support/test-app';
import { seriesValue } from './support/metrics-text';

describe.each(STORE_SETUPS)('request ids, event metadata and metrics (%s)', (setup) => {
  let testApp: TestApp;
  let api: ApiClient;
  const instanceId = `instance-${randomUUID()}`;

  beforeAll(async () => {
    testApp = await startTestApp(setup);
    api = await ApiClient.of(testApp, instanceId, { subject: 'alice' });
  });
  afterAll(() => testApp.close());

  it('echoes an acceptable x-request-id and generates one otherwise', async () => {
    const given = await testApp.http().get('/healthz').set('x-request-id', 'trace-123.abc');
    expect(given.headers['x-request-id']).toBe('trace-123.abc');
    const forged = await testApp.http().get('/healthz').set('x-request-id', 'bad id\twith spaces');
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const none = await testApp.http().get('/healthz');
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(none.headers['x-request-id']).not.toBe(forged.headers['x-request-id']);
  });

  it('gives a request id even to requests refused by the body parser', async () => {
    const response = await testApp
      .http()
      .put('/v3alpha/executions')
      .set('Authorization', `Bearer ${api.token}`)
      .set('content-type', 'application/json')
      .set('x-request-id', 'malformed-1')
      .send('{"condition":');
    expect(response.status).toBe(400);
    expect(response.headers['x-request-id']).toBe('malformed-1');
  });

  it('gives Connect calls on the HTTP port a request id, and counts them by RPC and gRPC code', async () => {
    const path = '/zitadel.action.v3alpha.ActionService/ListExecutionMethods';
    const response = await testApp.http().post(path).set('Authorization', `Bearer ${api.token}`).set('content-type', 'application/json').set('x-request-id', 'connect-1').send({});
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe('connect-1');
    const text = (await testApp.management().get('/metrics')).text;
    expect(seriesValue(text, 'actions_http_requests_total', { method: 'POST', route: path, status: 'OK' })).toBe(1);
    expect((await testApp.http().get('/no/such/route')).status).toBe(404);
    expect(seriesValue((await testApp.management().get('/metrics')).text, 'actions_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
  });

  it('writes the request id as correlation and causation id, and the caller as actor, into stored events', async () => {
    const response = await testApp
      .http()
      .post('/v3alpha/targets')
      .set('Authorization', `Bearer ${api.token}`)
      .set('x-request-id', 'create-target-42')
      .send({ name: 'hook', restWebhook: {}, timeout: '10s', endpoint: 'https://example.com/hook' });
    expect(response.status).toBe(201);
    const [added] = await storedEvents(testApp, { types: ['target.added'], tenant: instanceId });
    expect(added.metadata).toEqual({ actor: 'alice', correlationId: 'create-target-42', causationId: 'create-target-42' });
  });

  it('exports request, command, append and projection series after traffic', async () => {
    const target = await api.newTarget('metrics-target');
    expect((await api.setExecution({ condition: { request: { method: SESSION_LIST } }, targets: [{ target }] })).status).toBe(200);
    expect((await api.deleteExecution({ condition: { request: { all: true } } })).status).toBe(404);
    expect((await api.getTarget(target)).status).toBe(200);
    expect((await api.listExecutions()).status).toBe(200);

    const scrape = await testApp.management().get('/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toContain('text/plain');
    const text = scrape.text;
    expect(seriesValue(text, 'actions_http_requests_total', { method: 'GET', route: '/v3alpha/targets/:targetId', status: '200' })).toBe(1);
    expect(seriesValue(text, 'actions_http_requests_total', { method: 'DELETE', route: '/v3alpha/executions', status: '404' })).toBe(1);
    expect(seriesValue(text, 'actions_http_request_duration_seconds_count', { method: 'PUT', route: '/v3alpha/executions', status: '200' })).toBe(1);
    expect(seriesValue(text, 'actions_commands_total', { command: 'SetExecutionCommand', outcome: 'ok' })).toBe(1);
    expect(seriesValue(text, 'actions_commands_total', { command: 'DeleteExecutionCommand', outcome: 'not_found' })).toBe(1);
    expect(seriesValue(text, 'actions_commands_total', { command: 'CreateTargetCommand', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    // Two targets (each with its name reservation) and one execution were stored.
    expect(seriesValue(text, 'actions_event_store_appended_events_total')).toBeGreaterThanOrEqual(3);
    expect(seriesValue(text, 'actions_event_store_appends_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(3);
    const head = await testApp.store.headPosition();
    expect(seriesValue(text, 'actions_projection_position', { projection: 'executions' })).toBeLessThanOrEqual(head);
    expect(seriesValue(text, 'actions_projection_lag_events', { projection: 'executions' })).toBeGreaterThanOrEqual(0);
    expect(seriesValue(text, 'actions_projection_events_total', { projection: 'executions' })).toBe(1);
    expect(seriesValue(text, 'actions_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // A raw path never becomes a label.
    expect(text).not.toContain(`/v3alpha/targets/${target}`);
  });

  it('is live and ready once the projections have caught up', async () => {
    const live = await testApp.http().get('/healthz');
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok' });
    const ready = await testApp.management().get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      details: {
        eventStore: { status: 'up', kind: setup },
        readModel: { status: 'up' },
        projections: { status: 'up', executions: { ready: true }, targets: { ready: true } },
      },
    });
  });
});
