import * as http2 from 'node:http2';
import { startGrpcTestApp, type GrpcTestApp } from './support/grpc-test-app';

describe('idle HTTP/2 sessions on the gRPC port', () => {
  let testApp: GrpcTestApp;

  beforeAll(async () => {
    testApp = await startGrpcTestApp({}, { grpcIdleTimeoutMs: 300 });
  });
  afterAll(() => testApp.close());

  /** Opens a session, lets `use` run on it, then waits up to `withinMs` for the server to end it. */
  async function sessionClosedByServer(use: (session: http2.ClientHttp2Session) => Promise<void>, withinMs: number): Promise<{ closed: boolean; goaway: boolean }> {
    const session = http2.connect(`http://127.0.0.1:${testApp.grpcPort}`);
    let goaway = false;
    session.on('goaway', () => (goaway = true));
    session.on('error', () => undefined);
    await use(session);
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), withinMs);
      session.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    session.destroy();
    return { closed, goaway };
  }

  it('closes a session that sends nothing, with GOAWAY, after GRPC_IDLE_TIMEOUT_MS', async () => {
    expect(await sessionClosedByServer(async () => undefined, 3_000)).toEqual({ closed: true, goaway: true });
  });

  it('closes a session gone idle after a call', async () => {
    const outcome = await sessionClosedByServer(async (session) => {
      const stream = session.request({ ':method': 'GET', ':path': '/healthz' });
      stream.resume();
      await new Promise((resolve) => stream.on('close', resolve));
    }, 3_000);
    expect(outcome).toEqual({ closed: true, goaway: true });
  });
});
