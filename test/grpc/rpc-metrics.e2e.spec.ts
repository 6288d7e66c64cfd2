import { randomUUID } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { ActionService } from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';
import { seriesValue } from '../operations/support/metrics-text';
import { RPC_ROUTES, bearer, startGrpcTestApp, type GrpcTestApp } from './support/grpc-test-app';

const SERVICE = '/zitadel.action.v3alpha.ActionService';


describe('RPCs in the HTTP metrics', () => {
  let testApp: GrpcTestApp;

  beforeAll(async () => {
    testApp = await startGrpcTestApp();
  });
  afterAll(() => testApp.close());

  const count = async (route: string, status: string): Promise<number> =>
    seriesValue((await testApp.management().get('/metrics')).text, 'actions_http_requests_total', { method: 'POST', route, status }) ?? 0;

  it.each(RPC_ROUTES)('counts each call of %s under its full method name and gRPC code, like an HTTP request', async (_name, protocol, onH2c) => {
    const client = testApp.client(ActionService, protocol, { onH2c });
    const options = bearer(await testApp.token(`instance-${randomUUID()}`));
    const [okBefore, notFoundBefore, deniedBefore] = [
      await count(`${SERVICE}/ListExecutionServices`, 'OK'),
      await count(`${SERVICE}/GetTargetByID`, 'NOT_FOUND'),
      await count(`${SERVICE}/ListTargets`, 'UNAUTHENTICATED'),
    ];

    await client.listExecutionServices({}, options);
    await expect(client.getTargetByID({ targetId: '1' }, options)).rejects.toMatchObject({ code: Code.NotFound });
    const refused = await client.listTargets({}).catch((error: unknown) => error);
    expect(ConnectError.from(refused).code).toBe(Code.Unauthenticated);

    expect(await count(`${SERVICE}/ListExecutionServices`, 'OK')).toBe(okBefore + 1);
    expect(await count(`${SERVICE}/GetTargetByID`, 'NOT_FOUND')).toBe(notFoundBefore + 1);
    expect(await count(`${SERVICE}/ListTargets`, 'UNAUTHENTICATED')).toBe(deniedBefore + 1);
    const text = (await testApp.management().get('/metrics')).text;
    expect(seriesValue(text, 'actions_http_request_duration_seconds_count', { method: 'POST', route: `${SERVICE}/GetTargetByID`, status: 'NOT_FOUND' })).toBeGreaterThanOrEqual(1);
  });
});
