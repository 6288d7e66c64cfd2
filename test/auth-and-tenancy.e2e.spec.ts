import { randomUUID } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, ensureEmbeddedKeys, type Permission } from '../src/auth';
import { ApiClient, SESSION_LIST, expectError } from './support/api';
import { STORE_SETUPS, startTestApp, type TestApp } from './support/test-app';

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(STORE_SETUPS)('authentication, permissions and tenants (%s)', (setup) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp(setup);
  });
  afterAll(() => testApp.close());

  const listMethods = (token?: string) => {
    const call = testApp.http().get('/v3alpha/executions/methods');
    return token === undefined ? call : call.set('Authorization', `Bearer ${token}`);
  };

  const claims = { instance_id: 'instance-a', roles: ['IAM_OWNER'] };

  async function signed(options: { audience?: string; issuer?: string; expiresAt?: number; key?: 'embedded' | 'foreign' }): Promise<string> {
    const embedded = await ensureEmbeddedKeys(testApp.config.dataDir);
    const key = options.key === 'foreign' ? (await generateKeyPair('EdDSA')).privateKey : embedded.privateKey;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: embedded.kid, typ: 'JWT' })
      .setIssuer(options.issuer ?? EMBEDDED_ISSUER)
      .setAudience(options.audience ?? EMBEDDED_AUDIENCE)
      .setSubject('tester')
      .setIssuedAt(now - 120)
      .setExpirationTime(options.expiresAt ?? now + 600)
      .sign(key);
  }

  describe('tokens', () => {
    it('accepts a valid token', async () => {
      expect((await listMethods(await signed({}))).status).toBe(200);
    });

    it('answers 401 code 16 without a token', async () => {
      expectError(await listMethods(), 401, 16, 'AUTH-Hq2mB');
    });

    it.each([
      ['an expired token', () => signed({ expiresAt: Math.floor(Date.now() / 1000) - 60 })],
      ['a token signed by another key', () => signed({ key: 'foreign' })],
      ['a token for another audience', () => signed({ audience: 'someone-else' })],
      ['a token from another issuer', () => signed({ issuer: 'https://evil.example.com' })],
      ['an unsigned token (alg none)', async () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, aud: EMBEDDED_AUDIENCE, iss: EMBEDDED_ISSUER, sub: 'x', exp: Math.floor(Date.now() / 1000) + 600 })}.`],
      ['garbage', async () => 'not.a.token'],
    ])('answers 401 code 16 for %s', async (_case, makeToken) => {
      const response = await listMethods(await makeToken());
      expectError(response, 401, 16);
      expect(response.body.details[0].id).toMatch(/^AUTH-/);
    });

    it('answers 403 AUTH-5mWD2 "No matching permissions found" for a role without the permission', async () => {
      const viewer = await ApiClient.of(testApp, 'instance-a', { roles: ['IAM_OWNER_VIEWER'] });
      expect((await viewer.listExecutions()).status).toBe(200);
      const response = await viewer.setExecution({ condition: { request: { all: true } }, targets: [{ target: 'x' }] });
      expectError(response, 403, 7, 'AUTH-5mWD2');
      expect(response.body.details[0].message).toBe('No matching permissions found');
      expectError(await (await ApiClient.of(testApp, 'instance-a', { roles: [] })).catalogue('methods'), 403, 7, 'AUTH-5mWD2');
    });

    it.each<[Permission, (api: ApiClient) => Promise<{ status: number }>]>([
      ['execution.target.write', (api) => api.createTarget({})],
      ['execution.target.write', (api) => api.updateTarget('1', {})],
      ['execution.target.delete', (api) => api.deleteTarget('1')],
      ['execution.target.read', (api) => api.getTarget('1')],
      ['execution.target.read', (api) => api.listTargets()],
      ['execution.write', (api) => api.setExecution({})],
      ['execution.delete', (api) => api.deleteExecution({})],
      ['execution.read', (api) => api.listExecutions()],
      ['execution.read', (api) => api.catalogue('functions')],
      ['execution.read', (api) => api.catalogue('methods')],
      ['execution.read', (api) => api.catalogue('services')],
    ])('requires %s on its route', async (permission, call) => {
      const allowed = await ApiClient.of(testApp, 'instance-p', { roles: [], permissions: [permission] });
      const others = await ApiClient.of(testApp, 'instance-p', { roles: [], permissions: ['execution.target.read', 'execution.read'].filter((p) => p !== permission) });
      expect((await call(allowed)).status).not.toBe(403);
      expect((await call(others)).status).toBe(403);
    });
  });

  describe('tenant isolation', () => {
    it("keeps instance B away from instance A's targets and executions", async () => {
      const a = await ApiClient.of(testApp, `instance-${randomUUID()}`);
      const b = await ApiClient.of(testApp, `instance-${randomUUID()}`);
      const targetId = await a.newTarget('shared-name');
      const condition = { request: { method: SESSION_LIST } };
      expect((await a.setExecution({ condition, targets: [{ target: targetId }] })).status).toBe(200);

      expectError(await b.getTarget(targetId), 404, 5, 'COMMAND-xj14f2cccn');
      expectError(await b.updateTarget(targetId, { name: 'stolen' }), 404, 5, 'COMMAND-xj14f2cccn');
      expectError(await b.deleteTarget(targetId), 404, 5, 'COMMAND-k4s7ucu0ax');
      expect((await b.listTargets()).body).toMatchObject({ details: { totalResult: '0' }, result: [] });
      expect((await b.listExecutions()).body).toMatchObject({ details: { totalResult: '0' }, result: [] });
      expectError(await b.deleteExecution({ condition }), 404, 5, 'COMMAND-suq2upd3rt');
      expectError(await b.setExecution({ condition, targets: [{ target: targetId }] }), 404, 5, 'COMMAND-17e8fq1ggk');
      expectError(await b.setExecution({ condition: { request: { all: true } }, targets: [{ include: condition }] }), 404, 5, 'COMMAND-slgj0l4cdz');
      expect((await b.createTarget({ name: 'shared-name', restAsync: {}, timeout: '1s', endpoint: 'https://b.example.com' })).status).toBe(201);

      // A's data is untouched.
      expect((await a.getTarget(targetId)).body.target.name).toBe('shared-name');
      expect((await a.listExecutions()).body.details.totalResult).toBe('1');
      expect((await a.deleteExecution({ condition })).status).toBe(200);
    });
  });
});
