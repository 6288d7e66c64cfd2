import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { ApiClient } from '../../bench/support/api-client';
import { reportFigures } from './support/report';
import { ServiceUnderTest } from './support/service-under-test';

const PER_TENANT = 5;
const TOTAL = 50;
const REQUEST_TIMEOUT_MS = 2_000;

interface OpenStream {
  status: number;
  response: IncomingMessage;
  request: ClientRequest;
  text(): string;
}

/** GET /v3alpha/events with a token; resolves once the answer's head arrived (the body keeps streaming). */
function openStream(baseUrl: string, token: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    let text = '';
    const clientRequest = request(`${baseUrl}/v3alpha/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('error', () => undefined);
      resolve({ status: response.statusCode ?? 0, response, request: clientRequest, text: () => text });
    });
    clientRequest.on('error', reject);
    clientRequest.end();
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('shared-resource limits, built service on SQLite', () => {
  let sut: ServiceUnderTest;
  const streams: OpenStream[] = [];

  beforeAll(async () => {
    sut = await ServiceUnderTest.start('sqlite', {
      env: {
        EVENT_STREAM_MAX_PER_TENANT: String(PER_TENANT),
        EVENT_STREAM_MAX_TOTAL: String(TOTAL),
        HTTP_HEADERS_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      },
    });
  });
  afterAll(async () => {
    for (const stream of streams) stream.request.destroy();
    await sut.close();
  });

  it('holds the stream caps under many concurrent streams, and every instance keeps being served', async () => {
    const tenants: ApiClient[] = await Promise.all(Array.from({ length: TOTAL / PER_TENANT }, (_, index) => sut.client(`fault-streams-${index}`)));
    // One more stream per instance than its cap, all at once.
    const attempts = await Promise.all(tenants.flatMap((api) => Array.from({ length: PER_TENANT + 1 }, () => openStream(sut.baseUrl, api.token))));
    streams.push(...attempts);
    const statuses = attempts.map((attempt) => attempt.status);
    expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
    expect(statuses.filter((status) => status === 200)).toHaveLength(TOTAL);
    expect(statuses.filter((status) => status === 429)).toHaveLength(tenants.length);
    // The replica is full: a newcomer's stream is refused, its API calls are not.
    const late = await sut.client('fault-streams-late');
    const refused = await openStream(sut.baseUrl, late.token);
    streams.push(refused);
    expect(refused.status).toBe(429);
    await waitFor(() => refused.response.complete, 5_000, 'the refusal body');
    expect(JSON.parse(refused.text())).toMatchObject({ code: 8 });
    const started = performance.now();
    const targetId = await late.createTarget('served-while-full');
    const writeMs = performance.now() - started;
    expect(targetId).toMatch(/\S/);
    // An open stream still gets its instance's new events.
    const watched = attempts.find((attempt) => attempt.status === 200)!;
    const owner = tenants[Math.floor(attempts.indexOf(watched) / (PER_TENANT + 1))];
    await owner.createTarget('seen-live');
    await waitFor(() => watched.text().includes('seen-live'), 10_000, 'the live event on an open stream');
    reportFigures('event streams at the cap (SQLite)', { openStreams: TOTAL, refused: tenants.length + 1, writeWhileFullMs: Math.round(writeMs) });

    // Refusals store nothing: each instance holds only what its accepted writes appended.
    const lateEvents = await sut.settledEvents({ tenant: late.instanceId });
    expect(lateEvents.every((event) => event.type.startsWith('target.'))).toBe(true);
    expect(lateEvents.filter((event) => event.type === 'target.added')).toHaveLength(1);
  });

  it('cuts off a slow body within the request timeout, storing nothing', async () => {
    const api = await sut.client('fault-slow-body');
    const body = JSON.stringify({ name: 'slow-body-target', restAsync: {}, timeout: '1s', endpoint: 'https://example.com' });
    const { port, hostname } = new URL(sut.baseUrl);
    const outcome = await new Promise<{ answer: string; ms: number }>((resolve, reject) => {
      const started = performance.now();
      let answer = '';
      const socket = connect(Number(port), hostname, () => {
        socket.write(`POST /v3alpha/targets HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${api.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
        // A byte every 300 ms: never idle for long, never done.
        let sent = 0;
        const drip = setInterval(() => {
          if (sent < body.length - 1 && !socket.destroyed) socket.write(body[sent++]);
        }, 300);
        socket.on('close', () => clearInterval(drip));
      });
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve({ answer, ms: performance.now() - started }));
    });
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 408 /);
    // The bound plus the server's once-a-second check, with room for a loaded machine.
    expect(outcome.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 2_500);
    reportFigures('slow body (SQLite)', { requestTimeoutMs: REQUEST_TIMEOUT_MS, cutOffAfterMs: Math.round(outcome.ms) });
    expect(await sut.settledEvents({ tenant: api.instanceId })).toEqual([]);
  });
});
