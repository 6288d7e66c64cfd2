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
    const unknown = await api.setExecution({ condition: { request: { method: SESSION_LIST } }, targets: [{ target }] });
    expectError(unknown, 404, 5, 'COMMAND-vysplsevt8');
    expect(unknown.body.details[0].message).toBe(
      `Method not found: "${SESSION_LIST}" is not in the catalogue; GET /v3alpha/executions/methods (ListExecutionMethods) lists the known ones`,
    );
  });

  it('names an unknown service or function and where the known ones are listed', async () => {
    const target = await api.newTarget('hook-2');
    const service = await api.setExecution({ condition: { response: { service: 'acme.v1.Nope' } }, targets: [{ target }] });
    expectError(service, 404, 5, 'COMMAND-qu6dfhiioq');
    expect(service.body.message).toContain('"acme.v1.Nope" is not in the catalogue; GET /v3alpha/executions/services (ListExecutionServices)');
    const fn = await api.setExecution({ condition: { function: { name: 'Acme.Nope' } }, targets: [{ target }] });
    expectError(fn, 404, 5, 'COMMAND-cdy39t0ksr');
    expect(fn.body.message).toContain('"Acme.Nope" is not in the catalogue; GET /v3alpha/executions/functions (ListExecutionFunctions)');
  });
});
