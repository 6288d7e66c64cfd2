import { randomUUID } from 'node:crypto';
import { ApiClient, RFC3339_MS, details, expectError } from './support/api';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from './support/test-app';

describe.each(STORE_SETUPS)('targets over HTTP (%s)', (setup) => {
  let testApp: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    testApp = await startTestApp(setup);
  });
  afterAll(() => testApp.close());
  beforeEach(async () => {
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
  });

  const webhook = { name: 'hook', restWebhook: { interruptOnError: true }, timeout: '10s', endpoint: 'https://example.com/hook' };

  it('creates a target (201), then reads it back with every field', async () => {
    const created = await api.createTarget(webhook);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^\d{18}$/), details: details(1, api.instanceId) });
    const got = await api.getTarget(created.body.id);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      target: {
        targetId: created.body.id,
        details: { ...(details(1, api.instanceId) as object), changeDate: created.body.details.changeDate },
        name: 'hook',
        restWebhook: { interruptOnError: true },
        timeout: '10s',
        endpoint: 'https://example.com/hook',
      },
    });
  });

  it('stores target.added with the spec payload (timeout in nanoseconds) and a sealed signing key', async () => {
    await api.createTarget({ name: 'call', restCall: { interruptOnError: false }, timeout: '0.5s', endpoint: 'http://call.example.com:8080/call' });
    const events = await storedEvents(testApp, { tenant: api.instanceId, types: ['target.added'] });
    expect(events.map((event) => event.data)).toEqual([
      {
        name: 'call',
        targetType: 2,
        endpoint: 'http://call.example.com:8080/call',
        timeout: 500_000_000,
        interruptOnError: false,
        signingKey: { alg: 'A256GCM', kid: expect.any(String), iv: expect.any(String), ct: expect.any(String) },
      },
    ]);
  });

  it('updates any subset of fields, numbering the events, and stores only what changed', async () => {
    const id = (await api.createTarget(webhook)).body.id as string;
    const updated = await api.updateTarget(id, { timeout: '1.25s', restAsync: {} });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ details: details(2, api.instanceId) });
    const got = await api.getTarget(id);
    expect(got.body.target).toEqual({
      targetId: id,
      details: { ...(details(2, api.instanceId) as object), changeDate: updated.body.details.changeDate },
      name: 'hook',
      restAsync: {},
      timeout: '1.25s',
      endpoint: 'https://example.com/hook',
    });
    const events = await storedEvents(testApp, { tenant: api.instanceId, types: ['target.changed'] });
    expect(events.map((event) => event.data)).toEqual([{ targetType: 3, timeout: 1_250_000_000, interruptOnError: false }]);
  });

  it('answers an update that changes nothing with the current details and stores nothing', async () => {
    const created = await api.createTarget(webhook);
    const same = await api.updateTarget(created.body.id, { name: 'hook', timeout: '10s' });
    expect(same.status).toBe(200);
    expect(same.body).toEqual({ details: { ...(details(1, api.instanceId) as object), changeDate: created.body.details.changeDate } });
    const events = await storedEvents(testApp, { tenant: api.instanceId, types: ['target.changed'] });
    expect(events).toHaveLength(0);
  });

  it('deletes a target: "2", then 404 everywhere', async () => {
    const id = (await api.createTarget(webhook)).body.id as string;
    const removed = await api.deleteTarget(id);
    expect(removed.body).toEqual({ details: details(2, api.instanceId) });
    expectError(await api.getTarget(id), 404, 5, 'COMMAND-xj14f2cccn');
    expectError(await api.updateTarget(id, { name: 'x' }), 404, 5, 'COMMAND-xj14f2cccn');
    expectError(await api.deleteTarget(id), 404, 5, 'COMMAND-k4s7ucu0ax');
    expect((await api.listTargets()).body.result).toEqual([]);
  });

  it('keeps names unique per instance, frees them on delete and rename', async () => {
    const first = (await api.createTarget(webhook)).body.id as string;
    expectError(await api.createTarget(webhook), 409, 6, 'INSTANCE-9axkz0jvzm');
    const second = (await api.createTarget({ ...webhook, name: 'second' })).body.id as string;
    expectError(await api.updateTarget(second, { name: 'hook' }), 409, 6, 'INSTANCE-9axkz0jvzm');
    expect((await api.updateTarget(first, { name: 'renamed' })).status).toBe(200);
    expect((await api.updateTarget(second, { name: 'hook' })).status).toBe(200);
    expect((await api.deleteTarget(second)).status).toBe(200);
    expect((await api.createTarget(webhook)).status).toBe(201);
    // Another instance has names of its own.
    const other = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    expect((await other.createTarget(webhook)).status).toBe(201);
  });

  it.each<[string, Record<string, unknown>, number, string]>([
    ['an empty name', { name: '' }, 3, 'COMMAND-ddqbm9us5p'],
    ['no name', { name: undefined }, 3, 'COMMAND-ddqbm9us5p'],
    ['no timeout', { timeout: undefined }, 3, 'COMMAND-39f35d8uri'],
    ['a zero timeout', { timeout: '0s' }, 3, 'COMMAND-39f35d8uri'],
    ['a negative timeout', { timeout: '-1s' }, 3, 'REQUEST-7hmv0qz3xk'],
    ['a garbage timeout', { timeout: 'soon' }, 3, 'REQUEST-7hmv0qz3xk'],
    ['a numeric timeout', { timeout: 10 }, 3, 'REQUEST-7hmv0qz3xk'],
    ['a relative endpoint', { endpoint: 'hook' }, 3, 'COMMAND-1r2k6qo6wg'],
    ['no endpoint', { endpoint: undefined }, 3, 'COMMAND-1r2k6qo6wg'],
    ['a name longer than 200', { name: 'n'.repeat(201) }, 3, 'REQUEST-7hmv0qz3xk'],
    ['no target type', { restWebhook: undefined }, 3, 'REQUEST-7hmv0qz3xk'],
    ['two target types', { restAsync: {} }, 3, 'REQUEST-7hmv0qz3xk'],
  ])('refuses to create a target with %s', async (_case, override, code, id) => {
    const response = await api.createTarget({ ...webhook, ...override });
    expectError(response, 400, code, id);
    if (id === 'REQUEST-7hmv0qz3xk') expect(response.body.details[0].message).toMatch(/timeout|name|rest/);
    expect((await storedEvents(testApp, { tenant: api.instanceId }))).toHaveLength(0);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an empty name', { name: '' }, 'COMMAND-ddqbm9us5p'],
    ['a zero timeout', { timeout: '0.0s' }, 'COMMAND-39f35d8uri'],
    ['a bad endpoint', { endpoint: 'ftp://example.com' }, 'COMMAND-1r2k6qo6wg'],
  ])('refuses to update a target with %s', async (_case, change, id) => {
    const target = (await api.createTarget(webhook)).body.id as string;
    expectError(await api.updateTarget(target, change), 400, 3, id);
  });

  describe('ListTargets', () => {
    const names = ['alpha', 'Beta', 'gamma_1', 'gamma%2', 'delta'];
    let ids: Record<string, string>;

    beforeEach(async () => {
      ids = {};
      for (const [index, name] of names.entries()) {
        const body = index % 2 === 0 ? webhook : { ...webhook, restWebhook: undefined, restAsync: {} };
        ids[name] = (await api.createTarget({ ...body, name, timeout: `${index + 1}s`, endpoint: `https://example.com/${names.length - index}` })).body.id;
      }
    });

    const namesOf = async (body: unknown): Promise<string[]> => {
      const response = await api.listTargets(body);
      expect(response.status).toBe(200);
      return (response.body.result as { name: string }[]).map((target) => target.name);
    };

    it('answers with list details, the sorting column and full targets', async () => {
      const response = await api.listTargets({ sortingColumn: 'TARGET_FIELD_NAME_NAME', query: { asc: true, limit: 1 } });
      expect(response.body).toEqual({
        details: { totalResult: '5', processedSequence: expect.stringMatching(/^\d+$/), timestamp: expect.stringMatching(RFC3339_MS) },
        sortingColumn: 'TARGET_FIELD_NAME_NAME',
        result: [
          {
            targetId: ids.Beta,
            details: details(1, api.instanceId),
            name: 'Beta',
            restAsync: {},
            timeout: '2s',
            endpoint: 'https://example.com/4',
          },
        ],
      });
    });

    it('sorts by every column, descending unless asc', async () => {
      expect(await namesOf({ sortingColumn: 'TARGET_FIELD_NAME_NAME', query: { asc: true } })).toEqual(['Beta', 'alpha', 'delta', 'gamma%2', 'gamma_1']);
      expect(await namesOf({ sortingColumn: 4 })).toEqual(['gamma_1', 'gamma%2', 'delta', 'alpha', 'Beta']);
      expect(await namesOf({ sortingColumn: 'TARGET_FIELD_NAME_TIMEOUT', query: { asc: true } })).toEqual(names);
      expect(await namesOf({ sortingColumn: 'TARGET_FIELD_NAME_URL', query: { asc: true } })).toEqual([...names].reverse());
      expect(await namesOf({ sortingColumn: 'TARGET_FIELD_NAME_CREATION_DATE', query: { asc: true } })).toEqual(names);
      expect((await namesOf({ sortingColumn: 'TARGET_FIELD_NAME_ASYNC' })).slice(0, 2).sort()).toEqual(['Beta', 'gamma%2']);
      expect((await namesOf({ sortingColumn: 'TARGET_FIELD_NAME_TARGET_TYPE', query: { asc: true } })).slice(3).sort()).toEqual(['Beta', 'gamma%2']);
      const byId = [...names].sort((a, b) => ids[a].localeCompare(ids[b]));
      expect(await namesOf({ sortingColumn: 'TARGET_FIELD_NAME_ID', query: { asc: true } })).toEqual(byId);
      expect(await namesOf({ sortingColumn: 'TARGET_FIELD_NAME_INTERRUPT_ON_ERROR', query: { asc: true } })).toHaveLength(5);
      expect(await namesOf({ sortingColumn: 'TARGET_FIELD_NAME_CHANGE_DATE', query: { asc: true } })).toEqual(names);
    });

    it.each<[string, string, string[]]>([
      ['TEXT_QUERY_METHOD_EQUALS', 'Beta', ['Beta']],
      ['TEXT_QUERY_METHOD_EQUALS', 'beta', []],
      ['TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE', 'BETA', ['Beta']],
      ['TEXT_QUERY_METHOD_STARTS_WITH', 'gamma', ['gamma%2', 'gamma_1']],
      ['TEXT_QUERY_METHOD_STARTS_WITH', 'B', ['Beta']],
      ['TEXT_QUERY_METHOD_STARTS_WITH', 'b', []],
      ['TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE', 'b', ['Beta']],
      ['TEXT_QUERY_METHOD_CONTAINS', 'mma_', ['gamma_1']],
      ['TEXT_QUERY_METHOD_CONTAINS', '%', ['gamma%2']],
      ['TEXT_QUERY_METHOD_CONTAINS', 'ET', []],
      ['TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE', 'ET', ['Beta']],
      ['TEXT_QUERY_METHOD_ENDS_WITH', 'a', ['Beta', 'alpha', 'delta']],
      ['TEXT_QUERY_METHOD_ENDS_WITH', '_1', ['gamma_1']],
      ['TEXT_QUERY_METHOD_ENDS_WITH_IGNORE_CASE', 'TA', ['Beta', 'delta']],
    ])('filters names with %s %j (wildcards literal)', async (method, targetName, expected) => {
      expect((await namesOf({ sortingColumn: 'TARGET_FIELD_NAME_NAME', query: { asc: true }, queries: [{ targetNameQuery: { targetName, method } }] })).sort()).toEqual(
        [...expected].sort(),
      );
    });

    it('matches non-ASCII names case-insensitively', async () => {
      await api.createTarget({ ...webhook, name: 'Élan' });
      expect(await namesOf({ queries: [{ targetNameQuery: { targetName: 'éLAN', method: 'TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE' } }] })).toEqual(['Élan']);
      expect(await namesOf({ queries: [{ targetNameQuery: { targetName: 'él', method: 'TEXT_QUERY_METHOD_STARTS_WITH' } }] })).toEqual([]);
    });

    it('filters by ids and pages', async () => {
      expect(await namesOf({ sortingColumn: 'TARGET_FIELD_NAME_NAME', query: { asc: true }, queries: [{ inTargetIdsQuery: { targetIds: [ids.alpha, ids.delta, 'nope'] } }] })).toEqual([
        'alpha',
        'delta',
      ]);
      const page = await api.listTargets({ sortingColumn: 'TARGET_FIELD_NAME_NAME', query: { asc: true, offset: '2', limit: 2 } });
      expect(page.body.details.totalResult).toBe('5');
      expect(page.body.result.map((target: { name: string }) => target.name)).toEqual(['delta', 'gamma%2']);
    });

    it('refuses unknown sorting columns and methods', async () => {
      expectError(await api.listTargets({ sortingColumn: 'TARGET_FIELD_NAME_COLOUR' }), 400, 3);
      expectError(await api.listTargets({ queries: [{ targetNameQuery: { targetName: 'a', method: 99 } }] }), 400, 3);
      expectError(await api.listTargets({ queries: [{ targetNameQuery: { targetName: 'a' }, inTargetIdsQuery: { targetIds: [] } }] }), 400, 3);
    });
  });
});
