import { randomUUID } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { RATE_LIMITED_ERROR_ID } from '../../src/auth/tenant-rate-limiter';
import { ErrorDetailSchema } from '../../src/grpc/gen/zitadel/v1/error_detail_pb';
import { ApiClient, expectError } from '../support/api';
import { storedEvents } from '../support/test-app';
import { PROTOCOLS, bearer, startGrpcTestApp, type GrpcTestApp } from './support/grpc-test-app';

const BURST = 3;

describe('rate limit per instance', () => {
  let testApp: GrpcTestApp;

  beforeAll(async () => {
    // A rate so low that the bucket cannot refill during a test: BURST calls, then refusals.
    process.env.RATE_LIMIT_PER_SECOND = '1';
    process.env.RATE_LIMIT_BURST = String(BURST);
    try {
      testApp = await startGrpcTestApp();
    } finally {
      delete process.env.RATE_LIMIT_PER_SECOND;
      delete process.env.RATE_LIMIT_BURST;
    }
  });
  afterAll(() => testApp.close());

  it('answers REST calls over the rate 429 code 8 with Retry-After, storing nothing, and leaves other instances alone', async () => {
    const noisy = await ApiClient.of(testApp, `noisy-${randomUUID()}`);
    for (let call = 0; call < BURST - 1; call += 1) expect((await noisy.catalogue('methods')).status).toBe(200);
    await noisy.newTarget('last-allowed');
    const refused = await noisy.createTarget({ name: 'refused', restAsync: {}, timeout: '1s', endpoint: 'https://example.com' });
    expectError(refused, 429, 8, RATE_LIMITED_ERROR_ID);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const stored = await storedEvents(testApp, { tenant: noisy.instanceId });
    expect(stored.filter((event) => JSON.stringify(event.data).includes('refused'))).toEqual([]);

    const quiet = await ApiClient.of(testApp, `quiet-${randomUUID()}`);
    expect((await quiet.catalogue('methods')).status).toBe(200);
  });

  it.each(PROTOCOLS)('answers %s calls over the rate ResourceExhausted with the error id and retry-after', async (protocol) => {
    const token = await testApp.token(`rpc-${protocol}-${randomUUID()}`);
    const client = testApp.actionClient(protocol);
    for (let call = 0; call < BURST; call += 1) await client.listExecutionMethods({}, bearer(token));
    const error = await client.listExecutionMethods({}, bearer(token)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConnectError);
    const connectError = error as ConnectError;
    expect(connectError.code).toBe(Code.ResourceExhausted);
    expect(connectError.findDetails(ErrorDetailSchema).map((detail) => detail.id)).toEqual([RATE_LIMITED_ERROR_ID]);
    expect(Number(connectError.metadata.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('counts every transport against the same bucket', async () => {
    const instanceId = `mixed-${randomUUID()}`;
    const api = await ApiClient.of(testApp, instanceId);
    for (let call = 0; call < BURST; call += 1) expect((await api.catalogue('functions')).status).toBe(200);
    const error = await testApp.actionClient('grpc').listExecutionFunctions({}, bearer(api.token)).catch((thrown: unknown) => thrown);
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
  });
});
