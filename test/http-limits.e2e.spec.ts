import { randomUUID } from 'node:crypto';
import { connect, type AddressInfo } from 'node:net';
import { DOCS_CONTENT_SECURITY_POLICY } from '../src/common/http/response-headers';
import { startDocumentedApp } from './operations/support/service-app';
import { ApiClient } from './support/api';
import { startTestApp, storedEvents, type TestApp } from './support/test-app';

/** Sends `head` and the first bytes of a body, then nothing; resolves with what came back and when the socket closed. */
function sendSlowBody(port: number, head: string, firstBytes: string): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(`${head}${firstBytes}`));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, closedAfterMs: performance.now() - started }));
  });
}

describe('HTTP limits and headers', () => {
  let testApp: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    testApp = await startTestApp('sqlite', {}, { httpHeadersTimeoutMs: 300, httpRequestTimeoutMs: 600, httpKeepAliveTimeoutMs: 1_000 });
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
  });
  afterAll(() => testApp.close());

  it('cuts off a request whose body does not arrive within the request timeout, storing nothing', async () => {
    const { port } = testApp.app.getHttpServer().address() as AddressInfo;
    const body = JSON.stringify({ name: 'slow', restAsync: {}, timeout: '1s', endpoint: 'https://example.com' });
    const head = `POST /v3alpha/targets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${api.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { answer, closedAfterMs } = await sendSlowBody(port, head, body.slice(0, 10));
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // The bound (600 ms) plus Node's checking interval; Node's defaults would hold it 5 minutes.
    expect(closedAfterMs).toBeLessThan(3_000);
    expect(await storedEvents(testApp, { tenant: api.instanceId })).toEqual([]);
  });

  it('answers an anonymous request before reading its body, and closes the connection', async () => {
    const { port } = testApp.app.getHttpServer().address() as AddressInfo;
    const head = `POST /v3alpha/targets HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n`;
    const { answer, closedAfterMs } = await sendSlowBody(port, head, '{"name":"');
    // Read first, the body would have been 413 or held until the request timeout (408).
    expect(answer).toMatch(/^HTTP\/1\.1 401 [^]*connection: close/i);
    expect(closedAfterMs).toBeLessThan(500);
  });

  it('cuts off a client that never finishes its headers', async () => {
    const { port } = testApp.app.getHttpServer().address() as AddressInfo;
    const { answer, closedAfterMs } = await sendSlowBody(port, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n', 'X-Slow: ');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeLessThan(3_000);
  });

  it('applies the configured timeouts to the server', () => {
    const server = testApp.app.getHttpServer();
    expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout]).toEqual([300, 600, 1_000]);
  });

  it('answers API calls, errors included, with nosniff and no-store and without X-Powered-By', async () => {
    for (const response of [await api.listTargets(), await testApp.http().get('/v3alpha/targets/1'), await testApp.http().get('/healthz'), await testApp.http().get('/nowhere')]) {
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('answers gRPC-web and Connect calls on the HTTP port, errors included, with nosniff and no-store', async () => {
    const rpc = (name: string, contentType: string, body: string | Buffer, token?: string) => {
      const call = testApp.http().post(`/zitadel.action.v3alpha.ActionService/${name}`).set('Content-Type', contentType);
      return (token ? call.set('Authorization', `Bearer ${token}`) : call).send(body);
    };
    const emptyFrame = Buffer.from([0, 0, 0, 0, 0]);
    const answers = [
      await rpc('ListTargets', 'application/json', '{}', api.token),
      await rpc('ListTargets', 'application/json', '{}'),
      await rpc('ListTargets', 'application/json; charset=utf-16le', '{}', api.token),
      await rpc('ListTargets', 'application/grpc-web+proto', emptyFrame, api.token),
      await rpc('ListTargets', 'application/grpc-web+proto', emptyFrame),
    ];
    expect(answers.map((response) => response.status)).toEqual([200, 401, 415, 200, 200]);
    for (const response of answers) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

});

describe('API documentation headers', () => {
  it('serves the documentation with a content security policy', async () => {
    const service = await startDocumentedApp();
    try {
      for (const path of ['/docs', '/docs/', '/docs-json']) {
        const response = await service.http().get(path);
        expect(response.status).toBe(200);
        expect(response.headers['content-security-policy']).toBe(DOCS_CONTENT_SECURITY_POLICY);
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['x-powered-by']).toBeUndefined();
      }
    } finally {
      await service.close();
    }
  });
});
