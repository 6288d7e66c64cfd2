import { randomUUID } from 'node:crypto';
import { ApiClient } from '../support/api';
import { startTestApp, type TestApp } from '../support/test-app';

describe('Management port', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp('sqlite');
  });
  afterAll(() => testApp.close());

  it('serves /metrics, /readyz and /healthz without a token', async () => {
    const metrics = await testApp.management().get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('# TYPE');
    expect((await testApp.management().get('/readyz')).status).toBe(200);
    expect((await testApp.management().get('/healthz')).status).toBe(200);
  });

  it('does not serve /metrics or /readyz on the public port, not even with a token', async () => {
    const api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    for (const path of ['/metrics', '/readyz', '/metrics?x=1']) {
      for (const call of [testApp.http().get(path), testApp.http().get(path).set('Authorization', `Bearer ${api.token}`)]) {
        const response = await call;
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ code: 5, details: [{ id: 'HTTP-9vb2kx7z0p' }] });
        expect(response.text).not.toMatch(/eventStore|# TYPE/);
      }
    }
    // Liveness stays public: orchestrators probe it on the service port.
    expect((await testApp.http().get('/healthz')).status).toBe(200);
  });

  it('serves nothing of the API on the management port', async () => {
    const api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    for (const path of ['/v3alpha/executions/methods', '/docs', '/zitadel.action.v3alpha.ActionService/ListExecutionMethods']) {
      const response = await testApp.management().get(path).set('Authorization', `Bearer ${api.token}`);
      expect(response.status).toBe(404);
    }
  });
});
