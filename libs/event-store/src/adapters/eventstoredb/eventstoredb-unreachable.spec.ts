import { createServer, type Server, type Socket } from 'node:net';
import { createEventStore } from '../../create-event-store';
import { EventStoreUnavailableError } from '../../errors';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

// The real gRPC client against servers that are not there: a port that accepts connections
// and never answers (where the client alone waits far beyond its deadlines) and a refused port.

interface SilentServer {
  port: number;
  openSockets(): number;
  close(): Promise<void>;
}

async function silentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    // Reads (so it notices the client closing) but never writes a byte.
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    openSockets: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

async function timed(work: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { error, ms: Date.now() - started };
}

describe('EventStoreDbEventStore without a reachable server', () => {
  it('gives up on a server that never answers within its own time limit, for every call, and leaves no connection open', async () => {
    const silent = await silentServer();
    const store = new EventStoreDbEventStore({ connectionString: `esdb://127.0.0.1:${silent.port}?tls=false`, connectTimeoutMs: 300, callTimeoutMs: 300 });
    try {
      await store.init();
      const calls: [string, () => Promise<unknown>][] = [
        ['ping', () => store.ping()],
        ['append', () => store.append('s', [{ type: 'e', tenant: 't', data: {} }], { expectedRevision: 'any' })],
        ['readStream', () => store.readStream('s')],
        ['readAll', () => store.readAll()],
        ['headPosition', () => store.headPosition()],
      ];
      for (const [name, call] of calls) {
        const { error, ms } = await timed(call());
        expect({ name, unavailable: error instanceof EventStoreUnavailableError }).toEqual({ name, unavailable: true });
        expect((error as Error).message).toMatch(/did not answer .* within 300 ms/);
        expect(ms).toBeGreaterThanOrEqual(250);
        expect(ms).toBeLessThan(2000);
      }
      expect(silent.openSockets()).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
    const deadline = Date.now() + 3000;
    while (silent.openSockets() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(silent.openSockets()).toBe(0);
    await silent.close();
  });

  it('is opened by createEventStore without waiting for the server; readiness then reports it unreachable', async () => {
    const port = await refusedPort();
    const store = await createEventStore({ kind: 'eventstoredb', connectionString: `esdb://127.0.0.1:${port}?tls=false`, connectTimeoutMs: 1000, callTimeoutMs: 1000 });
    try {
      expect(store.kind).toBe('eventstoredb');
      await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      await store.close();
    }
    // A connection string the client cannot parse fails at start-up, not on first use.
    await expect(createEventStore({ kind: 'eventstoredb', connectionString: 'esdb://' })).rejects.toThrow();
  });

  it('fails fast on a refused port', async () => {
    const port = await refusedPort();
    const store = new EventStoreDbEventStore({ connectionString: `esdb://127.0.0.1:${port}?tls=false` });
    try {
      const { error, ms } = await timed(store.ping());
      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      // Well under the 5 s connect limit: the refusal itself is reported.
      expect(ms).toBeLessThan(2000);
      const append = await timed(store.append('s', [{ type: 'e', tenant: 't', data: {} }], { expectedRevision: 'any' }));
      expect(append.error).toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      await store.close();
    }
  });

  it('keeps resubscribing while the server does not confirm, and stops on close', async () => {
    const silent = await silentServer();
    const drops: unknown[] = [];
    const store = new EventStoreDbEventStore({
      connectionString: `esdb://127.0.0.1:${silent.port}?tls=false`,
      connectTimeoutMs: 200,
      callTimeoutMs: 200,
      subscriptionRetry: { minDelayMs: 10, maxDelayMs: 20 },
      onSubscriptionDrop: (error) => drops.push(error),
    });
    const handled: unknown[] = [];
    const subscription = store.subscribe({ fromPosition: 0 }, (events) => void handled.push(...events));
    try {
      const deadline = Date.now() + 3000;
      while (drops.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(drops.length).toBeGreaterThanOrEqual(2);
      for (const drop of drops) expect(drop).toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      await subscription.close();
      await store.close();
      await silent.close();
    }
    await expect(subscription.done).resolves.toBeUndefined();
    expect(handled).toEqual([]);
  });
});
