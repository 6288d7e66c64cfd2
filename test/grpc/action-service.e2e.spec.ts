import { randomUUID } from 'node:crypto';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Code, type Client } from '@connectrpc/connect';
import { ExecutionType, TargetFieldName } from '../../src/grpc/gen/zitadel/action/v3alpha/query_pb';
import { ActionService } from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';
import { TextQueryMethod } from '../../src/grpc/gen/zitadel/object/v2beta/object_pb';
import { POST_AUTH_FUNCTION, SESSION_LIST, SESSION_SERVICE } from '../support/api';
import { PROTOCOLS, bearer, startGrpcTestApp, type GrpcTestApp, type Protocol } from './support/grpc-test-app';

describe('ActionService over gRPC, gRPC-web and Connect', () => {
  let testApp: GrpcTestApp;

  beforeAll(async () => {
    testApp = await startGrpcTestApp();
  });
  afterAll(() => testApp.close());

  describe.each(PROTOCOLS)('%s', (protocol: Protocol) => {
    let client: Client<typeof ActionService>;
    let instanceId: string;
    let auth: ReturnType<typeof bearer>;

    beforeEach(async () => {
      client = testApp.actionClient(protocol);
      instanceId = `instance-${randomUUID()}`;
      auth = bearer(await testApp.token(instanceId));
    });

    it('creates, reads, updates, lists and deletes a target', async () => {
      const created = await client.createTarget(
        { name: 'hook', targetType: { case: 'restWebhook', value: { interruptOnError: true } }, timeout: { seconds: 10n }, endpoint: 'https://example.com/hook' },
        auth,
      );
      expect(created.id).not.toBe('');
      expect(created.details).toMatchObject({ sequence: 1n, resourceOwner: instanceId });
      expect(timestampDate(created.details!.changeDate!).getTime()).toBeGreaterThan(Date.now() - 60_000);

      const { target } = await client.getTargetByID({ targetId: created.id }, auth);
      expect(target).toMatchObject({
        targetId: created.id,
        name: 'hook',
        targetType: { case: 'restWebhook', value: { interruptOnError: true } },
        timeout: { seconds: 10n, nanos: 0 },
        endpoint: 'https://example.com/hook',
        details: { sequence: 1n, resourceOwner: instanceId },
      });

      const updated = await client.updateTarget(
        { targetId: created.id, name: 'renamed', targetType: { case: 'restAsync', value: {} }, timeout: { seconds: 0n, nanos: 500_000_000 } },
        auth,
      );
      expect(updated.details).toMatchObject({ sequence: 2n, resourceOwner: instanceId });

      const other = await client.createTarget(
        { name: 'other', targetType: { case: 'restCall', value: { interruptOnError: false } }, timeout: { seconds: 1n }, endpoint: 'https://example.com/other' },
        auth,
      );
      const listed = await client.listTargets(
        {
          query: { limit: 10, asc: true },
          sortingColumn: TargetFieldName.NAME,
          queries: [{ query: { case: 'targetNameQuery', value: { targetName: 'e', method: TextQueryMethod.CONTAINS } } }],
        },
        auth,
      );
      expect(listed.details?.totalResult).toBe(2n);
      expect(listed.sortingColumn).toBe(TargetFieldName.NAME);
      expect(listed.result.map((each) => [each.name, each.targetType.case, each.timeout?.nanos])).toEqual([
        ['other', 'restCall', 0],
        ['renamed', 'restAsync', 500_000_000],
      ]);

      const deleted = await client.deleteTarget({ targetId: other.id }, auth);
      expect(deleted.details).toMatchObject({ sequence: 2n, resourceOwner: instanceId });
      const remaining = await client.listTargets({}, auth);
      expect(remaining.result.map((each) => each.targetId)).toEqual([created.id]);
    });

    it('sets, lists and deletes executions of every condition kind, with includes', async () => {
      const { id: targetId } = await client.createTarget(
        { name: 'hook', targetType: { case: 'restAsync', value: {} }, timeout: { seconds: 5n }, endpoint: 'https://example.com/hook' },
        auth,
      );
      const all = { conditionType: { case: 'request' as const, value: { condition: { case: 'all' as const, value: true } } } };
      const method = { conditionType: { case: 'request' as const, value: { condition: { case: 'method' as const, value: SESSION_LIST } } } };
      const service = { conditionType: { case: 'response' as const, value: { condition: { case: 'service' as const, value: SESSION_SERVICE } } } };
      const fn = { conditionType: { case: 'function' as const, value: { name: POST_AUTH_FUNCTION } } };
      const group = { conditionType: { case: 'event' as const, value: { condition: { case: 'group' as const, value: 'user.human' } } } };

      const first = await client.setExecution({ condition: all, targets: [{ type: { case: 'target', value: targetId } }] }, auth);
      expect(first.details).toMatchObject({ sequence: 1n, resourceOwner: instanceId });
      await client.setExecution({ condition: method, targets: [{ type: { case: 'include', value: all } }, { type: { case: 'target', value: targetId } }] }, auth);
      for (const condition of [service, fn, group]) {
        await client.setExecution({ condition, targets: [{ type: { case: 'target', value: targetId } }] }, auth);
      }

      const listed = await client.listExecutions({ query: { limit: 100 } }, auth);
      expect(listed.details?.totalResult).toBe(5n);
      const withInclude = listed.result.find((each) => each.condition?.conditionType.case === 'request' && each.condition.conditionType.value.condition.case === 'method');
      expect(withInclude?.targets.map((entry) => entry.type)).toEqual([
        { case: 'include', value: expect.objectContaining({ conditionType: { case: 'request', value: expect.objectContaining({ condition: { case: 'all', value: true } }) } }) },
        { case: 'target', value: targetId },
      ]);
      expect(withInclude?.details).toMatchObject({ sequence: 1n, resourceOwner: instanceId });

      const functions = await client.listExecutions({ queries: [{ query: { case: 'executionTypeQuery', value: { executionType: ExecutionType.FUNCTION } } }] }, auth);
      expect(functions.result.map((each) => each.condition?.conditionType)).toEqual([{ case: 'function', value: expect.objectContaining({ name: POST_AUTH_FUNCTION }) }]);
      const including = await client.listExecutions({ queries: [{ query: { case: 'includeQuery', value: { include: all } } }] }, auth);
      expect(including.result).toHaveLength(1);

      const deleted = await client.deleteExecution({ condition: method }, auth);
      expect(deleted.details).toMatchObject({ sequence: 2n, resourceOwner: instanceId });
      const left = await client.listExecutions({ queries: [{ query: { case: 'targetQuery', value: { targetId } } }] }, auth);
      expect(left.details?.totalResult).toBe(4n);
    });

    // On HTTP/2 the refusal arrives as an answer; on HTTP/1.1 Connect stops reading the body and
    // the connection is reset, which clients see as an error too but without this code.
    it('refuses a request message larger than the REST body limit as ResourceExhausted (h2c port)', async () => {
      const h2cClient = testApp.client(ActionService, protocol, { onH2c: true });
      const huge = { name: 'x'.repeat(2 * 1024 * 1024), targetType: { case: 'restAsync' as const, value: {} }, timeout: { seconds: 1n }, endpoint: 'https://example.com' };
      await expect(h2cClient.createTarget(huge, auth)).rejects.toMatchObject({ code: Code.ResourceExhausted });
      expect((await client.listTargets({}, auth)).result).toEqual([]);
    });

    it('lists the catalogue', async () => {
      expect((await client.listExecutionMethods({}, auth)).methods).toContain(SESSION_LIST);
      expect((await client.listExecutionServices({}, auth)).services).toContain(SESSION_SERVICE);
      expect((await client.listExecutionFunctions({}, auth)).functions).toContain(POST_AUTH_FUNCTION);
    });
  });

  it('reads its own request bodies on the HTTP port: malformed JSON gets a Connect error, not the REST one', async () => {
    const token = await testApp.token(`instance-${randomUUID()}`);
    const response = await testApp
      .http()
      .post('/zitadel.action.v3alpha.ActionService/ListTargets')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      .send('{"query": ');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_argument' });
  });

  it.each(['grpc-web', 'connect'] as const)('serves %s on the h2c port too', async (protocol) => {
    const client = testApp.client(ActionService, protocol, { onH2c: true });
    const { services } = await client.listExecutionServices({}, bearer(await testApp.token(`instance-${randomUUID()}`)));
    expect(services).toContain(SESSION_SERVICE);
  });
});
