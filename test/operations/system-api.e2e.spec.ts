import { randomUUID } from 'node:crypto';
import Ajv, { type ValidateFunction } from 'ajv';
import type { Response } from 'supertest';
import { buildApiDocument } from '../../src/api/openapi/api-docs';
import { streamName } from '../../src/common/domain/stream-name';
import { EXECUTION_TARGET_CLEANUP } from '../../src/subscribers/built-in-subscribers';
import { ServiceSubscribers } from '../../src/subscribers/service-subscribers';
import type { RebuildJob } from '../../src/system/system-views';
import { ApiClient, expectError } from '../support/api';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from '../support/test-app';

/** A full method name the shipped catalogue does not list (its execution cannot be cleaned up). */
const GONE_METHOD = '/zitadel.gone.v1.GoneService/Call';

describe.each(STORE_SETUPS)('operations endpoints /system/v1 (%s)', (setup) => {
  let testApp: TestApp;
  let tenant: ApiClient;
  let systemToken: string;
  let ownerToken: string;

  const asSystem = async (method: 'get' | 'post', path: string): Promise<Response> => {
    const response = await testApp.http()[method](path).set('Authorization', `Bearer ${systemToken}`);
    if (response.status < 300) expectDocumented(method, path, response);
    return response;
  };
  const asOwner = (method: 'get' | 'post', path: string) => testApp.http()[method](path).set('Authorization', `Bearer ${ownerToken}`);

  beforeAll(async () => {
    process.env.SUBSCRIBER_MAX_ATTEMPTS = '2';
    process.env.SUBSCRIBER_RETRY_INITIAL_MS = '10';
    testApp = await startTestApp(setup);
    delete process.env.SUBSCRIBER_MAX_ATTEMPTS;
    delete process.env.SUBSCRIBER_RETRY_INITIAL_MS;
    tenant = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    ownerToken = tenant.token;
    systemToken = await testApp.token('system', { roles: ['SYSTEM_OWNER'] });
  });
  afterAll(() => testApp.close());

  it('refuses a tenant owner on every operations route, naming the permission, and a caller without a token', async () => {
    const routes: Array<['get' | 'post', string, string]> = [
      ['get', '/system/v1/projections', 'system.projections.read'],
      ['post', '/system/v1/projections/targets/rebuild', 'system.projections.rebuild'],
      ['get', '/system/v1/projections/targets/rebuild', 'system.projections.read'],
      ['get', '/system/v1/subscribers', 'system.subscribers.read'],
      ['get', '/system/v1/subscribers/failed-events', 'system.subscribers.read'],
      ['post', '/system/v1/subscribers/failed-events/1/retry', 'system.subscribers.retry'],
      ['get', '/system/v1/deliveries', 'system.deliveries.read'],
      ['post', '/system/v1/deliveries/1/retry', 'system.deliveries.retry'],
    ];
    for (const [method, path, permission] of routes) {
      const response = await asOwner(method, path);
      expectError(response, 403, 7, 'AUTH-5mWD2');
      expect(response.body.message).toBe(`No matching permissions found: the call needs ${permission} (AUTH-5mWD2)`);
      expectError(await testApp.http()[method](path), 401, 16, 'AUTH-Hq2mB');
    }
    // A rebuild was not started by the refused call.
    expectError(await asSystem('get', '/system/v1/projections/targets/rebuild'), 404, 5, 'SYSTEM-9c1kx5vb3n');
  });

  it('shows every projection with position, lag in events and status, and rebuilds one with progress moving to done', async () => {
    for (let index = 0; index < 5; index += 1) await tenant.newTarget(`rebuilt-${index}`);
    await storedEvents(testApp, {});
    const listed = await asSystem('get', '/system/v1/projections');
    expect(listed.status).toBe(200);
    expect(listed.body.projections.map((projection: { name: string }) => projection.name).sort()).toEqual(['executions', 'targets']);
    const targets = listed.body.projections.find((projection: { name: string }) => projection.name === 'targets');
    expect(targets).toMatchObject({ position: expect.any(Number), lagEvents: expect.any(Number), status: expect.stringMatching(/^(live|failing)$/), rebuild: null });
    expect(listed.body.headPosition).toBeGreaterThanOrEqual(targets.position);

    const started = await asSystem('post', '/system/v1/projections/targets/rebuild');
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ projection: 'targets', state: 'running' });
    const seen: RebuildJob[] = [];
    for (let polls = 0; polls < 200; polls += 1) {
      const progress = await asSystem('get', '/system/v1/projections/targets/rebuild');
      expect(progress.status).toBe(200);
      seen.push(progress.body as RebuildJob);
      if (progress.body.state !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const last = seen[seen.length - 1]!;
    expect(last).toMatchObject({ projection: 'targets', state: 'done', phase: 'done', error: null });
    expect(last.total).toBeGreaterThanOrEqual(5);
    expect(last.done).toBe(last.total);
    // Progress only moves forward.
    const dones = seen.map((job) => job.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    const after = (await asSystem('get', '/system/v1/projections')).body.projections.find((projection: { name: string }) => projection.name === 'targets');
    expect(after).toMatchObject({ status: 'live', rebuild: { state: 'done' } });
    // The rebuilt read model still answers the tenant.
    expect((await tenant.listTargets()).body.result).toHaveLength(5);

    expectError(await asSystem('post', '/system/v1/projections/nope/rebuild'), 404, 5, 'SYSTEM-4q8zr2mw7d');
  });

  it('lists a subscriber with its failed event, and retries it: failing again, then resolved once the cause is fixed', async () => {
    const removed = await tenant.newTarget('removed');
    expect((await tenant.deleteTarget(removed)).status).toBe(200);
    const kept = await tenant.newTarget('kept');
    // Set before the removal landed, for a method the catalogue no longer lists: the cleanup is refused.
    await testApp.store.append(
      streamName('execution', tenant.instanceId, `request${GONE_METHOD}`),
      [{ type: 'execution.v2.set', tenant: tenant.instanceId, data: { targets: [{ type: 2, target: removed }, { type: 2, target: kept }] } }],
      { expectedRevision: 'no_stream' },
    );
    await storedEvents(testApp, {});
    await (await testApp.app.get(ServiceSubscribers).get()).catchUp();

    const subscribers = await asSystem('get', '/system/v1/subscribers');
    expect(subscribers.status).toBe(200);
    expect(subscribers.body.subscribers).toEqual([expect.objectContaining({ name: EXECUTION_TARGET_CLEANUP, failedEvents: expect.any(Number), lagEvents: 0 })]);
    const failed = await asSystem('get', `/system/v1/subscribers/failed-events?subscriber=${EXECUTION_TARGET_CLEANUP}`);
    expect(failed.status).toBe(200);
    const set = failed.body.failedEvents.find((event: { type: string }) => event.type === 'execution.v2.set');
    expect(set).toMatchObject({ id: expect.stringMatching(/^\d+$/), subscriber: EXECUTION_TARGET_CLEANUP, attempts: 2, status: 'failed', error: expect.stringContaining('COMMAND-vysplsevt8') });

    const again = await asSystem('post', `/system/v1/subscribers/failed-events/${set.id}/retry`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ resolved: false, failedEvent: { id: set.id, attempts: 3, status: 'failed' } });

    expect((await tenant.deleteExecution({ condition: { request: { method: GONE_METHOD } } })).status).toBe(200);
    const fixed = await asSystem('post', `/system/v1/subscribers/failed-events/${set.id}/retry`);
    expect(fixed.body).toMatchObject({ resolved: true, failedEvent: { id: set.id, status: 'resolved' } });
    const remaining = (await asSystem('get', '/system/v1/subscribers/failed-events')).body.failedEvents;
    expect(remaining.map((event: { id: string }) => event.id)).not.toContain(set.id);

    expectError(await asSystem('post', `/system/v1/subscribers/failed-events/${set.id}/retry`), 404, 5, 'SYSTEM-8w5nc4lr0g');
    expectError(await asSystem('get', '/system/v1/subscribers/failed-events?subscriber=nope'), 404, 5, 'SYSTEM-6f3ma9qj1u');
  });

  it('lists parked deliveries of every instance, and answers a retry of one that is not parked with 404', async () => {
    const listed = await asSystem('get', '/system/v1/deliveries');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ deliveries: [] });
    expectError(await asSystem('post', '/system/v1/deliveries/12345/retry'), 404, 5, 'SYSTEM-1b6vd8hk2x');
    expectError(await asSystem('post', '/system/v1/deliveries/abc/retry'), 404, 5, 'SYSTEM-1b6vd8hk2x');
  });
});

const DOCUMENT = buildApiDocument() as unknown as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: object }> }> }>>; components: object };
const ajv = new Ajv({ strict: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();
ajv.addFormat('date-time', { type: 'string', validate: (text: string) => !Number.isNaN(Date.parse(text)) && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(text) });

/** A successful answer is what /docs says for its route and status: no property left out or undocumented, no null where none is said. */
function expectDocumented(method: string, path: string, response: Response): void {
  const route = Object.keys(DOCUMENT.paths).find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/?]+')}(\\?|$)`).test(path))!;
  const key = `${method} ${route} ${response.status}`;
  const schema = DOCUMENT.paths[route]![method]!.responses[String(response.status)]!.content['application/json']!.schema;
  const validate = validators.get(key) ?? ajv.compile(strictJsonSchema({ ...schema, components: DOCUMENT.components }) as object);
  validators.set(key, validate);
  expect({ route, errors: validate(response.body) ? null : validate.errors }).toEqual({ route, errors: null });
}

/** OpenAPI 3.0 as JSON Schema: `nullable` as a union with null, and objects closed to the properties they list. */
function strictJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictJsonSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const { nullable, ...rest } = schema as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, strictJsonSchema(value)]));
  if ('properties' in converted && !('additionalProperties' in converted)) converted.additionalProperties = false;
  return nullable === true ? { anyOf: [converted, { type: 'null' }] } : converted;
}
