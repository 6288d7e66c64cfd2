import { randomUUID } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { ActionService } from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';
import { storedEvents } from '../support/test-app';
import { RPC_ROUTES, startGrpcTestApp, type GrpcTestApp, type Protocol } from './support/grpc-test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;


describe('request ids of RPCs', () => {
  let testApp: GrpcTestApp;

  beforeAll(async () => {
    testApp = await startGrpcTestApp();
  });
  afterAll(() => testApp.close());

  /** Creates a target as a fresh instance over `protocol`; returns the echoed request id and the events appended. */
  async function createTarget(protocol: Protocol, onH2c: boolean, requestId?: string) {
    const instanceId = `instance-${randomUUID()}`;
    const client = testApp.client(ActionService, protocol, { onH2c });
    let echoed: string | null = null;
    const headers: Record<string, string> = { authorization: `Bearer ${await testApp.token(instanceId)}`, ...(requestId !== undefined && { 'x-request-id': requestId }) };
    await client.createTarget(
      { name: 'hook', targetType: { case: 'restWebhook', value: {} }, timeout: { seconds: 5n }, endpoint: 'https://example.com/hook' },
      { headers, onHeader: (header) => (echoed = header.get('x-request-id')) },
    );
    return { echoed, events: await storedEvents(testApp, { tenant: instanceId }) };
  }

  describe.each(RPC_ROUTES)('%s', (_name, protocol, onH2c) => {
    it("uses the caller's x-request-id as correlation and causation id of the events, and echoes it", async () => {
      const requestId = `trace-${randomUUID()}`;
      const { echoed, events } = await createTarget(protocol, onH2c, requestId);
      expect(echoed).toBe(requestId);
      expect(events.map((event) => event.type)).toContain('target.added');
      for (const event of events) expect([event.metadata.correlationId, event.metadata.causationId]).toEqual([requestId, requestId]);
    });

    it('gives a call without an acceptable x-request-id a new one, echoed and stored with its events', async () => {
      for (const requestId of [undefined, 'not acceptable: has spaces']) {
        const { echoed, events } = await createTarget(protocol, onH2c, requestId);
        expect(echoed).toMatch(UUID);
        expect(events.length).toBeGreaterThan(0);
        for (const event of events) expect([event.metadata.correlationId, event.metadata.causationId]).toEqual([echoed, echoed]);
      }
    });
  });

  it('echoes the request id on a refused call too', async () => {
    const requestId = `refused-${randomUUID()}`;
    let echoed: string | null = null;
    const error = await testApp
      .client(ActionService, 'grpc')
      .getTargetByID({ targetId: 'missing' }, { headers: { 'x-request-id': requestId }, onHeader: (header) => (echoed = header.get('x-request-id')) })
      .catch((caught: unknown) => caught);
    expect(ConnectError.from(error).code).toBe(Code.Unauthenticated);
    expect(ConnectError.from(error).metadata.get('x-request-id') ?? echoed).toBe(requestId);
  });
});
