import { randomUUID } from 'node:crypto';
import { ApiClient, POST_AUTH_FUNCTION, RFC3339_MS, SESSION_LIST, SESSION_SERVICE, details, expectError } from './support/api';
import { loadCatalogue } from '../src/catalogue/catalogue';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from './support/test-app';

describe.each(STORE_SETUPS)('executions over HTTP (%s)', (setup) => {
  let testApp: TestApp;
  let api: ApiClient;
  let targetId: string;

  beforeAll(async () => {
    testApp = await startTestApp(setup);
  });
  afterAll(() => testApp.close());

  // Every test works in an instance of its own, so tests never see each other's data.
  beforeEach(async () => {
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    targetId = await api.newTarget('hook');
  });

  const method = { request: { method: SESSION_LIST } };

  describe('SetExecution and DeleteExecution', () => {
    it('numbers the events of one execution: set "1", delete "2", set again "3"', async () => {
      const set = await api.setExecution({ condition: method, targets: [{ target: targetId }] });
      expect(set.status).toBe(200);
      expect(set.body).toEqual({ details: details(1, api.instanceId) });

      const removed = await api.deleteExecution({ condition: method });
      expect(removed.status).toBe(200);
      expect(removed.body).toEqual({ details: details(2, api.instanceId) });

      const again = await api.setExecution({ condition: method, targets: [{ target: targetId }] });
      expect(again.body).toEqual({ details: details(3, api.instanceId) });
    });

    it('stores the spec payloads in the execution stream of the instance and condition id', async () => {
      const include = await api.setExecution({ condition: { request: { all: true } }, targets: [{ target: targetId }] });
      expect(include.status).toBe(200);
      await api.setExecution({ condition: method, targets: [{ include: { request: { all: true } } }, { target: targetId }] });
      await api.deleteExecution({ condition: method });
      const events = (await storedEvents(testApp, { tenant: api.instanceId, typePrefixes: ['execution.'] }));
      expect(events.map((event) => [event.type, event.data])).toEqual([
        ['execution.v2.set', { targets: [{ type: 2, target: targetId }] }],
        ['execution.v2.set', { targets: [{ type: 1, target: 'request' }, { type: 2, target: targetId }] }],
        ['execution.removed', {}],
      ]);
      expect(new Set(events.slice(1).map((event) => event.stream)).size).toBe(1);
    });

    it('answers 404 COMMAND-suq2upd3rt for an execution never set or already removed, without consulting the catalogue', async () => {
      expectError(await api.deleteExecution({ condition: method }), 404, 5, 'COMMAND-suq2upd3rt');
      expectError(await api.deleteExecution({ condition: { request: { method: '/not.in.Catalogue/Method' } } }), 404, 5, 'COMMAND-suq2upd3rt');
      await api.setExecution({ condition: method, targets: [{ target: targetId }] });
      expect((await api.deleteExecution({ condition: method })).status).toBe(200);
      expectError(await api.deleteExecution({ condition: method }), 404, 5, 'COMMAND-suq2upd3rt');
    });

    it('accepts every kind of condition', async () => {
      const conditions = [
        method,
        { request: { service: SESSION_SERVICE } },
        { request: { all: true } },
        { response: { method: SESSION_LIST } },
        { response: { service: SESSION_SERVICE } },
        { response: { all: true } },
        { function: { name: POST_AUTH_FUNCTION } },
        { event: { event: 'user.human.added' } },
        { event: { group: 'user.human' } },
        { event: { all: true } },
      ];
      for (const condition of conditions) {
        const response = await api.setExecution({ condition, targets: [{ target: targetId }] });
        expect({ condition, status: response.status }).toEqual({ condition, status: 200 });
      }
      const list = await api.listExecutions();
      expect(list.body.details.totalResult).toBe(String(conditions.length));
    });

    it.each<[string, unknown, number, number, string | undefined]>([
      ['no condition', { targets: [{ target: 'x' }] }, 400, 3, 'REQUEST-7hmv0qz3xk'],
      ['an empty condition', { condition: {}, targets: [{ target: 'x' }] }, 400, 3, 'REQUEST-7hmv0qz3xk'],
      ['a doubled condition', { condition: { request: { all: true }, event: { all: true } }, targets: [{ target: 'x' }] }, 400, 3, 'REQUEST-7hmv0qz3xk'],
      ['a request condition with nothing set', { condition: { request: {} }, targets: [{ target: 'x' }] }, 400, 3, 'COMMAND-3tkej630e6'],
      ['a response condition with nothing set', { condition: { response: { all: false } }, targets: [{ target: 'x' }] }, 400, 3, 'COMMAND-3tkej630e6'],
      ['a request condition with two branches', { condition: { request: { method: SESSION_LIST, all: true } }, targets: [{ target: 'x' }] }, 400, 3, 'REQUEST-7hmv0qz3xk'],
      ['an event condition with nothing set', { condition: { event: {} }, targets: [{ target: 'x' }] }, 400, 3, 'COMMAND-w5smb6v7qu'],
      ['a function without a name', { condition: { function: {} }, targets: [{ target: 'x' }] }, 400, 3, 'COMMAND-5folwn5jws'],
      ['a function with an empty name', { condition: { function: { name: '' } }, targets: [{ target: 'x' }] }, 400, 3, 'COMMAND-5folwn5jws'],
      ['an empty method', { condition: { request: { method: '' } }, targets: [{ target: 'x' }] }, 400, 3, 'REQUEST-7hmv0qz3xk'],
      ['a method longer than 1000', { condition: { request: { method: `/a.B/${'x'.repeat(1000)}` } }, targets: [{ target: 'x' }] }, 400, 3, 'REQUEST-7hmv0qz3xk'],
      ['a wrongly typed method', { condition: { request: { method: 5 } }, targets: [{ target: 'x' }] }, 400, 3, 'REQUEST-7hmv0qz3xk'],
      ['a method not in the catalogue', { condition: { request: { method: '/zitadel.session.v2.SessionService/Nope' } }, targets: [{ target: 'x' }] }, 404, 5, 'COMMAND-vysplsevt8'],
      ['a service not in the catalogue', { condition: { response: { service: 'zitadel.nope.v1.NopeService' } }, targets: [{ target: 'x' }] }, 404, 5, 'COMMAND-qu6dfhiioq'],
      ['a function not in the catalogue', { condition: { function: { name: 'Action.Flow.Nope' } }, targets: [{ target: 'x' }] }, 404, 5, 'COMMAND-cdy39t0ksr'],
      ['an empty target list', { condition: { request: { all: true } }, targets: [] }, 400, 3, 'COMMAND-56bteot2uj'],
      ['no target list', { condition: { request: { all: true } } }, 400, 3, 'COMMAND-56bteot2uj'],
      ['a target that does not exist', { condition: { request: { all: true } }, targets: [{ target: 'missing' }] }, 404, 5, 'COMMAND-17e8fq1ggk'],
      ['an include that does not exist', { condition: { request: { all: true } }, targets: [{ include: { event: { all: true } } }] }, 404, 5, 'COMMAND-slgj0l4cdz'],
      ['an include of itself', { condition: { request: { all: true } }, targets: [{ include: { request: { all: true } } }] }, 400, 9, 'COMMAND-mo1cmjp5k7'],
      ['a target entry with target and include', { condition: { request: { all: true } }, targets: [{ target: 'x', include: { event: { all: true } } }] }, 400, 3, 'REQUEST-7hmv0qz3xk'],
      ['an empty target entry', { condition: { request: { all: true } }, targets: [{}] }, 400, 3, 'REQUEST-7hmv0qz3xk'],
      ['a target listed twice', { condition: { request: { all: true } }, targets: [{ target: 'x' }, { include: { event: { all: true } } }, { target: 'x' }] }, 400, 3, 'COMMAND-uswx8q3be8'],
      ['an include listed twice', { condition: { request: { all: true } }, targets: [{ include: { event: { all: true } } }, { include: { event: { all: true } } }] }, 400, 3, 'COMMAND-uswx8q3be8'],
      ['more than 100 targets', { condition: { request: { all: true } }, targets: Array.from({ length: 101 }, (_, index) => ({ target: `t${index}` })) }, 400, 3, 'COMMAND-yb90lkf00w'],
    ])('refuses %s', async (_case, body, status, code, id) => {
      expectError(await api.setExecution(body), status, code, id);
      const stored = await storedEvents(testApp, { tenant: api.instanceId, typePrefixes: ['execution.'] });
      expect(stored).toHaveLength(0);
    });

    it('names the offending field in validation errors', async () => {
      const response = await api.setExecution({ condition: { request: { method: 7 } }, targets: [{ target: targetId }] });
      expect(response.body.details[0].message).toContain('condition.request.method');
      const missing = await api.deleteExecution({});
      expect(missing.body.details[0].message).toContain('condition');
    });

    it('refuses an included execution that includes itself (COMMAND-iuch02i656)', async () => {
      // Only reachable with history written before the self-include rule: stored directly.
      await testApp.store.append('execution:' + encodeURIComponent(api.instanceId) + ':event', [
        { type: 'execution.v2.set', data: { targets: [{ type: 1, target: 'event' }] }, tenant: api.instanceId },
      ], { expectedRevision: 'no_stream' });
      expectError(await api.setExecution({ condition: method, targets: [{ include: { event: { all: true } } }] }), 400, 9, 'COMMAND-iuch02i656');
    });

    it('refuses include cycles through a chain (COMMAND-819opvhgjv) and chains deeper than 3 (COMMAND-gbhd3g57oo)', async () => {
      const c1 = { event: { event: 'e1' } };
      const c2 = { event: { event: 'e2' } };
      const c3 = { event: { event: 'e3' } };
      const c4 = { event: { event: 'e4' } };
      await api.setExecution({ condition: c4, targets: [{ target: targetId }] });
      expect((await api.setExecution({ condition: c3, targets: [{ include: c4 }] })).status).toBe(200);
      expect((await api.setExecution({ condition: c2, targets: [{ include: c3 }] })).status).toBe(200);
      expect((await api.setExecution({ condition: c1, targets: [{ include: c2 }] })).status).toBe(200);
      // c4 → c1 → c2 → c3 → c4 leads back to c4.
      expectError(await api.setExecution({ condition: c4, targets: [{ include: c1 }] }), 400, 9, 'COMMAND-819opvhgjv');
      // A new execution including c1 would chain four levels: c1, c2, c3, c4.
      expectError(await api.setExecution({ condition: method, targets: [{ include: c1 }] }), 400, 9, 'COMMAND-gbhd3g57oo');
      // Three levels are fine.
      expect((await api.setExecution({ condition: method, targets: [{ include: c2 }] })).status).toBe(200);
    });

    it('refers to the response id when including a response condition', async () => {
      await api.setExecution({ condition: { response: { method: SESSION_LIST } }, targets: [{ target: targetId }] });
      expect((await api.setExecution({ condition: { request: { all: true } }, targets: [{ include: { response: { method: SESSION_LIST } } }] })).status).toBe(200);
      const list = await api.listExecutions({ queries: [{ inConditionsQuery: { conditions: [{ request: { all: true } }] } }] });
      expect(list.body.result[0].targets).toEqual([{ include: { response: { method: SESSION_LIST } } }]);
      expectError(await api.setExecution({ condition: { request: { service: SESSION_SERVICE } }, targets: [{ include: { request: { method: SESSION_LIST } } }] }), 404, 5, 'COMMAND-slgj0l4cdz');
    });

    it('checks targets against the write side: a deleted target cannot be used', async () => {
      expect((await api.deleteTarget(targetId)).status).toBe(200);
      expectError(await api.setExecution({ condition: method, targets: [{ target: targetId }] }), 404, 5, 'COMMAND-17e8fq1ggk');
    });
  });

  describe('ListExecutions', () => {
    it('returns the exact JSON of each execution right after the write, ordered by id', async () => {
      await api.setExecution({ condition: { request: { service: SESSION_SERVICE } }, targets: [{ target: targetId }] });
      await api.setExecution({ condition: { event: { group: 'user.human.*' } }, targets: [{ target: targetId }, { include: { request: { service: SESSION_SERVICE } } }] });
      await api.setExecution({ condition: { function: { name: POST_AUTH_FUNCTION } }, targets: [{ target: targetId }] });

      const response = await api.listExecutions({});
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        details: { totalResult: '3', processedSequence: expect.stringMatching(/^\d+$/), timestamp: expect.stringMatching(RFC3339_MS) },
        result: [
          { Condition: { event: { group: 'user.human' } }, details: details(1, api.instanceId), targets: [{ target: targetId }, { include: { request: { service: SESSION_SERVICE } } }] },
          { Condition: { function: { name: POST_AUTH_FUNCTION } }, details: details(1, api.instanceId), targets: [{ target: targetId }] },
          { Condition: { request: { service: SESSION_SERVICE } }, details: details(1, api.instanceId), targets: [{ target: targetId }] },
        ],
      });
      expect(Number(response.body.details.processedSequence)).toBeGreaterThan(0);
    });

    it('reflects a replaced target list and a delete immediately', async () => {
      await api.setExecution({ condition: method, targets: [{ target: targetId }] });
      const other = await api.newTarget('other');
      await api.setExecution({ condition: method, targets: [{ target: other }, { target: targetId }] });
      let list = await api.listExecutions();
      expect(list.body.result).toEqual([{ Condition: method, details: details(2, api.instanceId), targets: [{ target: other }, { target: targetId }] }]);
      await api.deleteExecution({ condition: method });
      list = await api.listExecutions();
      expect(list.body.details.totalResult).toBe('0');
      expect(list.body.result).toEqual([]);
    });

    it('filters by conditions, execution type, target and include, ANDed, with paging', async () => {
      const other = await api.newTarget('other');
      await api.setExecution({ condition: { request: { all: true } }, targets: [{ target: targetId }] });
      await api.setExecution({ condition: { request: { method: SESSION_LIST } }, targets: [{ target: other }] });
      await api.setExecution({ condition: { response: { all: true } }, targets: [{ include: { request: { all: true } } }] });
      await api.setExecution({ condition: { event: { all: true } }, targets: [{ target: targetId }, { target: other }] });
      const ids = async (body: unknown): Promise<unknown[]> => {
        const response = await api.listExecutions(body);
        expect(response.status).toBe(200);
        return (response.body.result as { Condition: unknown }[]).map((item) => item.Condition);
      };
      expect(await ids({ queries: [{ executionTypeQuery: { executionType: 'EXECUTION_TYPE_REQUEST' } }] })).toEqual([
        { request: { all: true } },
        { request: { method: SESSION_LIST } },
      ]);
      expect(await ids({ queries: [{ executionTypeQuery: { executionType: 2 } }] })).toEqual([{ response: { all: true } }]);
      expect(await ids({ queries: [{ targetQuery: { targetId: other } }] })).toEqual([{ event: { all: true } }, { request: { method: SESSION_LIST } }]);
      expect(await ids({ queries: [{ includeQuery: { include: { request: { all: true } } } }] })).toEqual([{ response: { all: true } }]);
      expect(await ids({ queries: [{ inConditionsQuery: { conditions: [{ event: { all: true } }, { response: { all: true } }, { function: { name: 'x' } }] } }] })).toEqual([
        { event: { all: true } },
        { response: { all: true } },
      ]);
      expect(await ids({ queries: [{ targetQuery: { targetId } }, { executionTypeQuery: { executionType: 'EXECUTION_TYPE_EVENT' } }] })).toEqual([{ event: { all: true } }]);
      const page = await api.listExecutions({ query: { offset: '1', limit: 2 } });
      expect(page.body.details.totalResult).toBe('4');
      expect(page.body.result.map((item: { Condition: unknown }) => item.Condition)).toEqual([{ request: { all: true } }, { request: { method: SESSION_LIST } }]);
      expect((await api.listExecutions({ query: { offset: 3 } })).body.result).toHaveLength(1);
    });

    it('refuses malformed queries', async () => {
      expectError(await api.listExecutions({ queries: [{}] }), 400, 3);
      expectError(await api.listExecutions({ queries: [{ executionTypeQuery: { executionType: 'NOPE' } }] }), 400, 3);
      expectError(await api.listExecutions({ query: { offset: '-1' } }), 400, 3);
      expectError(await api.listExecutions({ query: { offset: 'ten' } }), 400, 3);
    });
  });

  describe('catalogue lists', () => {
    it('lists functions, methods and services of the shipped catalogue, sorted', async () => {
      const catalogue = loadCatalogue();
      const functions = await api.catalogue('functions');
      const methods = await api.catalogue('methods');
      const services = await api.catalogue('services');
      expect([functions.status, methods.status, services.status]).toEqual([200, 200, 200]);
      expect(functions.body).toEqual({ functions: [...catalogue.functions] });
      expect(methods.body).toEqual({ methods: [...catalogue.methods] });
      expect(services.body).toEqual({ services: [...catalogue.services] });
      expect(functions.body.functions).toContain(POST_AUTH_FUNCTION);
      expect(methods.body.methods).toContain(SESSION_LIST);
      expect(services.body.services).toContain(SESSION_SERVICE);
      for (const list of [functions.body.functions, methods.body.methods, services.body.services] as string[][]) {
        expect(list).toEqual([...list].sort());
      }
    });
  });
});
