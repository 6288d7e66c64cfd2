import { execFileSync } from 'node:child_process';
import * as http2 from 'node:http2';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { ServiceProcess } from '../../bench/support/service-process';
import { repoRoot } from '../../bench/support/repo-root';
import { ServiceStorage } from '../../bench/support/storage';
import { signEmbeddedToken } from '../../src/auth';

jest.setTimeout(120_000);

beforeAll(() => {
  execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ConnectionOutcome {
  written: number;
  answered: number;
  /** An answer carried `Connection: close`. */
  closeAsked: boolean;
  /** The connection failed (ECONNRESET, EPIPE) rather than being closed by the server. */
  error: string | undefined;
}

/**
 * A keep-alive HTTP/1.1 client on one raw connection: writes `depth` pipelined requests at
 * once, reads their answers, and goes on until `stop()` or until the server answers
 * `Connection: close` or closes the connection. Answers are counted by Content-Length.
 */
function keepAliveClient(port: number, requests: () => string[]): { outcome: Promise<ConnectionOutcome>; answered(): number; stop(): void } {
  const socket: Socket = connect(port, '127.0.0.1');
  const result: ConnectionOutcome = { written: 0, answered: 0, closeAsked: false, error: undefined };
  let stopped = false;
  let buffer = Buffer.alloc(0);
  let outstanding = 0;
  const sendBatch = (): void => {
    if (stopped || result.closeAsked || socket.destroyed) return;
    const batch = requests();
    outstanding = batch.length;
    result.written += batch.length;
    socket.write(batch.join(''));
  };
  socket.on('connect', sendBatch);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      buffer = buffer.subarray(end + 4 + length);
      result.answered += 1;
      outstanding -= 1;
      if (/\r\nconnection: *close/i.test(head)) result.closeAsked = true;
      if (outstanding === 0) sendBatch();
    }
  });
  const outcome = new Promise<ConnectionOutcome>((resolve) => {
    socket.on('error', (error: NodeJS.ErrnoException) => (result.error = error.code ?? error.message));
    socket.on('close', () => resolve(result));
  });
  return {
    outcome,
    answered: () => result.answered,
    stop: () => {
      stopped = true;
    },
  };
}

describe('SIGTERM while clients use kept-alive connections', () => {
  let storage: ServiceStorage;
  let service: ServiceProcess;

  beforeAll(async () => {
    storage = await ServiceStorage.create('sqlite');
    service = await ServiceProcess.start({ storage, logLevel: 'info' });
  });
  afterAll(async () => {
    await service.kill();
    await storage.drop();
  });

  it('answers every request sent on an open connection (the last with Connection: close), resets none, and sends GOAWAY on h2c', async () => {
    const token = await signEmbeddedToken(storage.dataDir, { instanceId: 'drain-instance', roles: ['IAM_OWNER'] });
    const search = (): string => {
      const body = '{}';
      return `POST /v3alpha/targets/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    };
    const health = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
    // Warm up (first calls load validation and verify the token), so the clients below are all served before the signal.
    for (let round = 0; round < 3; round += 1) {
      await fetch(service.url('/v3alpha/targets/search'), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    }
    // Busy connections, three pipelined requests at a time; idle ones that answered once and wait.
    const busy = Array.from({ length: 8 }, (_, index) => keepAliveClient(service.port, () => (index % 2 === 0 ? [search(), health, search()] : [health, health, health])));
    const idle = Array.from({ length: 4 }, () => {
      let sent = false;
      return keepAliveClient(service.port, () => (sent ? [] : ((sent = true), [health])));
    });

    // gRPC callers on the h2c port: Connect unary calls on one HTTP/2 session, several at once.
    const session = http2.connect(`http://127.0.0.1:${service.grpcPort}`);
    session.on('error', () => undefined);
    let goaway = false;
    session.on('goaway', () => (goaway = true));
    const rpc = { started: 0, answered: 0, refused: 0, failed: [] as string[] };
    const callOnce = (): Promise<void> =>
      new Promise((resolve) => {
        rpc.started += 1;
        const stream = session.request({
          ':method': 'POST',
          ':path': '/zitadel.action.v3alpha.ActionService/ListExecutionServices',
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
        });
        let status = 0;
        stream.on('response', (headers) => (status = Number(headers[':status'])));
        stream.on('data', () => undefined);
        stream.on('close', () => {
          if (status === 200) rpc.answered += 1;
          // Refused before any processing (beyond GOAWAY's last stream id): a client retries it elsewhere.
          else if (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) rpc.refused += 1;
          else rpc.failed.push(`status ${status}, rst ${stream.rstCode}`);
          resolve();
        });
        stream.on('error', () => undefined);
        stream.end('{}');
      });
    const rpcWorkers = Array.from({ length: 4 }, async () => {
      while (!goaway && !session.closed && !session.destroyed) await callOnce();
    });

    const clients = [...busy, ...idle];
    for (const deadline = Date.now() + 20_000; clients.some((client) => client.answered() === 0) || rpc.answered === 0; ) {
      if (Date.now() > deadline) throw new Error(`not every client was answered before the signal:\n${service.logTail()}`);
      await sleep(20);
    }
    await sleep(200);
    const exit = service.stop();
    await sleep(1_500);
    for (const client of clients) client.stop();
    const outcomes = await Promise.all(clients.map((client) => client.outcome));
    await Promise.all(rpcWorkers);
    session.destroy();
    expect(await exit).toEqual({ code: 0, signal: null });

    expect(outcomes.map((outcome) => outcome.error)).toEqual(outcomes.map(() => undefined));
    // Every request written on a connection was answered.
    expect(outcomes.map((outcome) => outcome.answered)).toEqual(outcomes.map((outcome) => outcome.written));
    // Busy connections were told to close; idle ones were closed once idle.
    expect(outcomes.slice(0, busy.length).every((outcome) => outcome.closeAsked)).toBe(true);
    expect(outcomes.reduce((sum, outcome) => sum + outcome.answered, 0)).toBeGreaterThan(100);

    expect(goaway).toBe(true);
    expect(rpc.failed).toEqual([]);
    expect(rpc.answered + rpc.refused).toBe(rpc.started);
    expect(rpc.answered).toBeGreaterThan(10);
  });
});
