import { randomUUID } from 'node:crypto';
import { ApiClient, SESSION_LIST, expectError } from './support/api';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from './support/test-app';

describe.each(STORE_SETUPS)('concurrent writes (%s)', (setup) => {
  let testApp: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    testApp = await startTestApp(setup);
  });
  afterAll(() => testApp.close());
  beforeEach(async () => {
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
  });

  it('lets exactly one of 50 concurrent DeleteExecution calls succeed; the rest are 404 COMMAND-suq2upd3rt', async () => {
    const condition = { request: { method: SESSION_LIST } };
    const targetId = await api.newTarget('hook');
    expect((await api.setExecution({ condition, targets: [{ target: targetId }] })).status).toBe(200);

    const responses = await Promise.all(Array.from({ length: 50 }, () => api.deleteExecution({ condition })));
    const succeeded = responses.filter((response) => response.status === 200);
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0].body.details.sequence).toBe('2');
    for (const response of responses.filter((candidate) => candidate.status !== 200)) expectError(response, 404, 5, 'COMMAND-suq2upd3rt');
    const events = await storedEvents(testApp, { tenant: api.instanceId, types: ['execution.removed'] });
    expect(events).toHaveLength(1);
  });

  it('creates exactly one of 20 concurrent targets with one name', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => api.createTarget({ name: 'contested', restAsync: {}, timeout: '1s', endpoint: 'https://example.com' })),
    );
    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    for (const response of responses.filter((candidate) => candidate.status !== 201)) expectError(response, 409, 6, 'INSTANCE-9axkz0jvzm');
    const list = await api.listTargets({ queries: [{ targetNameQuery: { targetName: 'contested' } }] });
    expect(list.body.details.totalResult).toBe('1');
  });

  it('keeps names unique when renames race with creates', async () => {
    const ids = await Promise.all(['a', 'b', 'c'].map((name) => api.newTarget(name)));
    const responses = await Promise.all([
      ...ids.map((id) => api.updateTarget(id, { name: 'wanted' })),
      api.createTarget({ name: 'wanted', restAsync: {}, timeout: '1s', endpoint: 'https://example.com' }),
    ]);
    expect(responses.filter((response) => response.status < 300)).toHaveLength(1);
    const list = await api.listTargets({ queries: [{ targetNameQuery: { targetName: 'wanted' } }] });
    expect(list.body.details.totalResult).toBe('1');
  });

  it('keeps every concurrent set of one execution, numbered without gaps', async () => {
    const targetId = await api.newTarget('hook');
    const condition = { event: { all: true } };
    const responses = await Promise.all(Array.from({ length: 10 }, () => api.setExecution({ condition, targets: [{ target: targetId }] })));
    // handleCommand retries lost races; under this contention some may still give up with 409 code 10.
    const ok = responses.filter((response) => response.status === 200);
    for (const response of responses.filter((candidate) => candidate.status !== 200)) expectError(response, 409, 10, 'COMMAND-0wrxk3c9pn');
    expect(ok.length).toBeGreaterThan(0);
    const sequences = ok.map((response) => Number(response.body.details.sequence)).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: ok.length }, (_, index) => index + 1));
    const list = await api.listExecutions();
    expect(list.body.result[0].details.sequence).toBe(String(sequences.at(-1)));
  });
});
