import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { READ_MODEL } from '../src/persistence/persistence.tokens';
import { ApiClient, SESSION_LIST, expectError } from './support/api';
import { STORE_SETUPS, startTestApp, type TestApp } from './support/test-app';

describe.each(STORE_SETUPS)('unavailable stores (%s)', (setup) => {
  let testApp: TestApp;
  let api: ApiClient;

  beforeEach(async () => {
    testApp = await startTestApp(setup);
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
  });
  afterEach(() => testApp.close());

  it('answers 503 code 14 when the event store is gone', async () => {
    await testApp.store.close();
    expectError(await api.setExecution({ condition: { request: { method: SESSION_LIST } }, targets: [{ target: '1' }] }), 503, 14);
    expectError(await api.deleteExecution({ condition: { request: { all: true } } }), 503, 14);
  });

  it('answers 503 code 14 when the read-model database is gone', async () => {
    await testApp.app.get<DataSource>(READ_MODEL).destroy();
    expectError(await api.listTargets(), 503, 14);
    expectError(await api.getTarget('1'), 503, 14);
  });
});
