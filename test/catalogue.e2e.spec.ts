import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ApiClient, SESSION_LIST, expectError } from './support/api';
import { STORE_SETUPS, startTestApp, type TestApp } from './support/test-app';

describe.each(STORE_SETUPS)('a catalogue file replacing the default (%s)', (setup) => {
  const dir = mkdtempSync(join(tmpdir(), 'catalogue-e2e-'));
  let testApp: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    const catalogFile = join(dir, 'catalogue.json');
    writeFileSync(catalogFile, JSON.stringify({ services: { 'acme.v1.Shop': ['Buy', 'Refund'] }, functions: ['Acme.Checkout'] }));
    testApp = await startTestApp(setup, { catalogFile });
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
  });
  afterAll(async () => {
    await testApp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists exactly what the file names', async () => {
    expect((await api.catalogue('services')).body).toEqual({ services: ['acme.v1.Shop'] });
    expect((await api.catalogue('methods')).body).toEqual({ methods: ['/acme.v1.Shop/Buy', '/acme.v1.Shop/Refund'] });
    expect((await api.catalogue('functions')).body).toEqual({ functions: ['Acme.Checkout'] });
  });

  it('checks executions against the file instead of the default', async () => {
    const target = await api.newTarget('hook');
    expect((await api.setExecution({ condition: { request: { method: '/acme.v1.Shop/Buy' } }, targets: [{ target }] })).status).toBe(200);
    expect((await api.setExecution({ condition: { function: { name: 'Acme.Checkout' } }, targets: [{ target }] })).status).toBe(200);
    expectError(await api.setExecution({ condition: { request: { method: SESSION_LIST } }, targets: [{ target }] }), 404, 5, 'COMMAND-vysplsevt8');
  });
});
