import { randomUUID } from 'node:crypto';
import type { JsonObject } from '@bufbuild/protobuf';
import { ALL_PERMISSIONS, type Permission } from '../../src/auth';
import { streamName } from '../../src/common/domain/stream-name';
import { POST_AUTH_FUNCTION, SESSION_LIST, SESSION_SERVICE } from '../support/api';
import { startGrpcTestApp, type GrpcTestApp } from '../grpc/support/grpc-test-app';
import { CallError, v2Clients, type Rpc, type V2Client } from './clients';

const webhook = (name: string): JsonObject => ({ name, restWebhook: { interruptOnError: true }, timeout: '10s', endpoint: 'https://example.com/hook' });
const onListSessions = { request: { method: SESSION_LIST } };

const errorOf = async (call: Promise<unknown>): Promise<{ code: number; id: string | undefined }> => {
  try {
    await call;
  } catch (error) {
    if (error instanceof CallError) return { code: error.code, id: error.id };
    throw error;
  }
  throw new Error('the call succeeded');
};

const PERMISSIONS: Record<Rpc, Permission | undefined> = {
  createTarget: 'action.target.write',
  updateTarget: 'action.target.write',
  deleteTarget: 'action.target.delete',
  getTarget: 'action.target.read',
  listTargets: 'action.target.read',
  setExecution: 'action.execution.write',
  listExecutions: 'action.execution.read',
  listExecutionFunctions: undefined,
  listExecutionMethods: undefined,
  listExecutionServices: undefined,
};

/**
 * zitadel.action.v2 and v2beta as users reach them: plain REST and ZITADEL's published clients
 * (@zitadel/node over gRPC with nice-grpc, @zitadel/proto with connect-node over gRPC and
 * Connect). Every scenario runs over every client.
 */
describe('ActionService v2 and v2beta', () => {
  let app: GrpcTestApp;
  const clients: V2Client[] = [];

  beforeAll(async () => {
    app = await startGrpcTestApp();
    clients.push(...v2Clients(app));
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await app.close();
  });

  describe.each(['REST v2', 'REST v2beta', '@zitadel/node v2 gRPC', '@zitadel/node v2beta gRPC', '@zitadel/proto v2beta gRPC', '@zitadel/proto v2beta Connect'])('%s', (clientName) => {
    let client: V2Client;
    let instanceId: string;
    let token: string;
    const call = (rpc: Rpc, request: JsonObject = {}) => client.call(rpc, request, token);
    const events = async (category: string, id: string) => app.store.readStream(streamName(category, instanceId, id));

    beforeEach(async () => {
      client = clients.find((candidate) => candidate.name === clientName)!;
      instanceId = `instance-${randomUUID()}`;
      token = await app.token(instanceId);
    });

    describe('targets', () => {
      it('creates a target with a signing key, reads it back, and lists it', async () => {
        const created = await call('createTarget', webhook('hook'));
        expect(created).toEqual({ id: expect.any(String), creationDate: expect.any(String), signingKey: expect.any(String) });
        expect(Date.parse(created.creationDate as string)).toBeGreaterThan(Date.now() - 60_000);
        expect((created.signingKey as string).length).toBeGreaterThanOrEqual(16);

        const { target } = await call('getTarget', { id: created.id });
        expect(target).toEqual({
          id: created.id,
          creationDate: expect.any(String),
          changeDate: expect.any(String),
          name: 'hook',
          restWebhook: { interruptOnError: true },
          timeout: '10s',
          endpoint: 'https://example.com/hook',
          signingKey: created.signingKey,
        });
        expect(Date.parse((target as JsonObject).creationDate as string)).toBe(Date.parse(created.creationDate as string));

        await call('createTarget', { name: 'async', restAsync: {}, timeout: '0.5s', endpoint: 'https://example.com/async' });
        const listed = await call('listTargets');
        expect(listed.pagination).toEqual({ totalResult: '2', appliedLimit: '100' });
        // Newest first by default.
        // Durations as seconds: "0.5s" and "0.500s" are the same JSON duration.
        expect((listed.targets as JsonObject[]).map((entry) => [entry.name, parseFloat(entry.timeout as string), entry.signingKey !== undefined])).toEqual([
          ['async', 0.5, true],
          ['hook', 10, true],
        ]);
        const filtered = await call('listTargets', {
          pagination: { asc: true },
          sortingColumn: 'TARGET_FIELD_NAME_NAME',
          filters: [{ targetNameFilter: { targetName: 'HO', method: 'TEXT_FILTER_METHOD_STARTS_WITH_IGNORE_CASE' } }, { inTargetIdsFilter: { targetIds: [created.id as string] } }],
        });
        expect((filtered.targets as JsonObject[]).map((entry) => entry.id)).toEqual([created.id]);
      });

      it('updates a target, appends nothing for an update that changes nothing, and rotates the signing key', async () => {
        const { id, signingKey } = await call('createTarget', webhook('hook'));
        const changed = await call('updateTarget', { id, name: 'renamed', restCall: { interruptOnError: false }, timeout: '5s' });
        expect(changed).toEqual({ changeDate: expect.any(String) });
        const unchanged = await call('updateTarget', { id, name: 'renamed' });
        expect(Date.parse(unchanged.changeDate as string)).toBe(Date.parse(changed.changeDate as string));
        expect(await events('target', id as string)).toHaveLength(2);

        const rotated = await call('updateTarget', { id, expirationSigningKey: '0s' });
        expect(rotated).toEqual({ changeDate: expect.any(String), signingKey: expect.any(String) });
        expect(rotated.signingKey).not.toBe(signingKey);
        const { target } = await call('getTarget', { id });
        expect(target).toMatchObject({ name: 'renamed', restCall: {}, timeout: '5s', signingKey: rotated.signingKey });
      });

      it('deletes a target idempotently: its removal date again, nothing for an unknown id', async () => {
        const { id } = await call('createTarget', webhook('hook'));
        const deleted = await call('deleteTarget', { id });
        expect(deleted).toEqual({ deletionDate: expect.any(String) });
        const again = await call('deleteTarget', { id });
        expect(Date.parse(again.deletionDate as string)).toBe(Date.parse(deleted.deletionDate as string));
        expect(await call('deleteTarget', { id: 'no-such-target' })).toEqual({});
        expect(await errorOf(call('getTarget', { id }))).toEqual({ code: 5, id: 'COMMAND-xj14f2cccn' });
      });

      it.each<[string, JsonObject, number, string | undefined]>([
        ['an empty name', { ...webhook(''), name: '' }, 3, 'COMMAND-ddqbm9us5p'],
        ['no type', { name: 'hook', timeout: '10s', endpoint: 'https://example.com/hook' }, 3, 'COMMAND-1r2k6qo6wg'],
        ['an empty endpoint', { ...webhook('hook'), endpoint: '' }, 3, 'COMMAND-1r2k6qo6wg'],
        ['no timeout', { name: 'hook', restCall: {}, endpoint: 'https://example.com/hook' }, 3, 'COMMAND-39f35d8uri'],
      ])('refuses to create a target with %s', async (_case, request, code, id) => {
        expect(await errorOf(call('createTarget', request))).toEqual({ code, id });
      });

      it('refuses a name a live target holds (6)', async () => {
        await call('createTarget', webhook('hook'));
        expect((await errorOf(call('createTarget', webhook('hook')))).code).toBe(6);
      });

      it.each<[string, JsonObject, string]>([
        ['an empty name', { name: '' }, 'COMMAND-d1wx4lm0zr'],
        ['a zero timeout', { timeout: '0s' }, 'COMMAND-08b39vdi57'],
        ['an empty endpoint', { endpoint: '' }, 'COMMAND-jsbaera7b6'],
      ])('refuses to update a target to %s', async (_case, change, id) => {
        const created = await call('createTarget', webhook('hook'));
        expect(await errorOf(call('updateTarget', { id: created.id, ...change }))).toEqual({ code: 3, id });
        expect(await events('target', created.id as string)).toHaveLength(1);
      });

      it('answers 5 for an unknown target on update and get', async () => {
        expect(await errorOf(call('updateTarget', { id: 'no-such-target', name: 'x' }))).toEqual({ code: 5, id: 'COMMAND-xj14f2cccn' });
        expect((await errorOf(call('getTarget', { id: 'no-such-target' }))).code).toBe(5);
      });
    });

    describe('executions', () => {
      it('sets, lists, keeps and removes an execution', async () => {
        const { id: target } = await call('createTarget', webhook('hook'));
        const set = await call('setExecution', { condition: onListSessions, targets: [target] });
        expect(set).toEqual({ setDate: expect.any(String) });
        const same = await call('setExecution', { condition: onListSessions, targets: [target] });
        expect(Date.parse(same.setDate as string)).toBe(Date.parse(set.setDate as string));
        await call('setExecution', { condition: { function: { name: 'preuserinfo' } }, targets: [target] });

        const listed = await call('listExecutions', { sortingColumn: 'EXECUTION_FIELD_NAME_ID', pagination: { asc: true } });
        expect(listed.pagination).toEqual({ totalResult: '2', appliedLimit: '100' });
        expect(listed.executions).toEqual([
          { condition: { function: { name: 'preuserinfo' } }, creationDate: expect.any(String), changeDate: expect.any(String), targets: [target] },
          { condition: onListSessions, creationDate: expect.any(String), changeDate: expect.any(String), targets: [target] },
        ]);
        const requests = await call('listExecutions', { filters: [{ executionTypeFilter: { executionType: 'EXECUTION_TYPE_REQUEST' } }, { targetFilter: { targetId: target as string } }] });
        expect((requests.executions as JsonObject[]).map((execution) => execution.condition)).toEqual([onListSessions]);

        const removed = await call('setExecution', { condition: onListSessions, targets: [] });
        expect(removed).toEqual({ setDate: expect.any(String) });
        expect(await call('setExecution', { condition: onListSessions })).toEqual({});
        const left = await call('listExecutions', { filters: [{ inConditionsFilter: { conditions: [onListSessions] } }] });
        expect(left.executions ?? []).toEqual([]);
      });

      it.each<[string, JsonObject, number, string]>([
        ['without a condition', { targets: [] }, 3, 'ACTION-5r5Ju'],
        ['with a request condition choosing nothing', { condition: { request: {} }, targets: ['t'] }, 3, 'COMMAND-3tkej630e6'],
        ['with an empty event condition', { condition: { event: {} }, targets: ['t'] }, 3, 'COMMAND-w5smb6v7qu'],
        ['with an empty function name', { condition: { function: {} }, targets: ['t'] }, 3, 'COMMAND-5folwn5jws'],
        ['on a method not in the catalogue', { condition: { request: { method: '/not.in.Catalogue/Method' } }, targets: ['t'] }, 5, 'COMMAND-vysplsevt8'],
        ['on a service not in the catalogue', { condition: { response: { service: 'not.in.Catalogue' } }, targets: ['t'] }, 5, 'COMMAND-qu6dfhiioq'],
        ['on a function not in the catalogue', { condition: { function: { name: 'nope' } }, targets: ['t'] }, 5, 'COMMAND-cdy39t0ksr'],
        ['with a target that does not exist', { condition: { request: { service: SESSION_SERVICE } }, targets: ['no-such-target'] }, 5, 'COMMAND-17e8fq1ggk'],
      ])('refuses to set an execution %s', async (_case, request, code, id) => {
        expect(await errorOf(call('setExecution', request))).toEqual({ code, id });
      });

      it('lists the catalogue to any valid token', async () => {
        const nobody = await app.token(instanceId, { roles: [] });
        const functions = await client.call('listExecutionFunctions', {}, nobody);
        expect(functions.functions).toEqual(expect.arrayContaining(['preuserinfo', 'preaccesstoken', 'presamlresponse', POST_AUTH_FUNCTION]));
        expect((await client.call('listExecutionMethods', {}, nobody)).methods).toEqual(expect.arrayContaining([SESSION_LIST, '/zitadel.action.v2.ActionService/SetExecution']));
        expect((await client.call('listExecutionServices', {}, nobody)).services).toEqual(expect.arrayContaining(['zitadel.action.v2beta.ActionService']));
      });
    });

    it.each(['listTargets', 'listExecutions'] as const)('%s refuses a limit above 1000 with 3 QUERY-4M0fs', async (rpc) => {
      expect(await errorOf(call(rpc, { pagination: { limit: 1001 } }))).toEqual({ code: 3, id: 'QUERY-4M0fs' });
      expect((await call(rpc, { pagination: { limit: 1000 } })).pagination).toMatchObject({ appliedLimit: '1000' });
    });

    it.each(Object.entries(PERMISSIONS).filter((entry): entry is [Rpc, Permission] => entry[1] !== undefined))(
      '%s needs %s (7 AUTH-5mWD2) and a token (16)',
      async (rpc, permission) => {
        const others = await app.token(instanceId, { roles: [], permissions: ALL_PERMISSIONS.filter((granted) => granted !== permission) });
        const requests: Partial<Record<Rpc, JsonObject>> = { createTarget: webhook('x'), setExecution: { condition: onListSessions } };
        const request = requests[rpc] ?? (rpc.endsWith('Target') ? { id: 'x' } : {});
        expect(await errorOf(client.call(rpc, request, others))).toEqual({ code: 7, id: 'AUTH-5mWD2' });
        expect((await errorOf(client.call(rpc, request, undefined))).code).toBe(16);
      },
    );

    it('lets IAM_OWNER_VIEWER read but not write', async () => {
      const viewer = await app.token(instanceId, { roles: ['IAM_OWNER_VIEWER'] });
      await expect(client.call('listTargets', {}, viewer)).resolves.toBeDefined();
      await expect(client.call('listExecutions', {}, viewer)).resolves.toBeDefined();
      expect((await errorOf(client.call('createTarget', webhook('hook'), viewer))).code).toBe(7);
    });
  });

  it('shares one store with v3alpha: an execution set there is listed by v2 without its includes, removed by v2, and then gone for v3alpha', async () => {
    const instanceId = `instance-${randomUUID()}`;
    const token = await app.token(instanceId);
    const v3alpha = (verb: 'put' | 'delete', path: string, body: JsonObject) => app.http()[verb](path).set('Authorization', `Bearer ${token}`).send(body);
    const [v2] = clients;
    const { id: target } = await v2.call('createTarget', webhook('hook'), token);
    expect((await v3alpha('put', '/v3alpha/executions', { condition: { request: { all: true } }, targets: [{ target }] })).status).toBe(200);
    const included = await v3alpha('put', '/v3alpha/executions', { condition: onListSessions, targets: [{ include: { request: { all: true } } }, { target }] });
    expect(included.status).toBe(200);

    const listed = await v2.call('listExecutions', { filters: [{ inConditionsFilter: { conditions: [onListSessions] } }] }, token);
    expect((listed.executions as JsonObject[]).map((execution) => execution.targets)).toEqual([[target]]);

    expect(await v2.call('setExecution', { condition: onListSessions, targets: [] }, token)).toEqual({ setDate: expect.any(String) });
    const deleted = await v3alpha('delete', '/v3alpha/executions', { condition: onListSessions });
    expect(deleted.status).toBe(404);
    expect(deleted.body).toMatchObject({ code: 5, details: [{ id: 'COMMAND-suq2upd3rt' }] });
  });
});
