/**
 * Event deliveries to a loopback target, SQLite and PostgreSQL: the built service, one target
 * that answers at once, an `event/bench.*` execution on it.
 *
 *   npm run bench:deliveries
 *   BENCH_STORES=sqlite,postgres BENCH_EVENTS=5000 BENCH_RATE=100 BENCH_SECONDS=5 BENCH_BACKLOG=3000 (defaults)
 *   BENCH_SERVICE_ENV='{"DELIVERY_CONCURRENCY_PER_TARGET":"32"}' passes settings to the service.
 *
 * Throughput: BENCH_EVENTS published as fast as 4 publishers can (batches of 100), timed from the
 * first publish to the last delivery received. Delay: events published one at a time at
 * BENCH_RATE per second for BENCH_SECONDS, each carrying its publish time; delay = arrival at the
 * target minus publish time (same clock).
 *
 * Sustained sending: BENCH_BACKLOG more events published while the target holds its first
 * requests unanswered (the service's slots for it stay taken, so everything else waits as
 * pending deliveries), then released: deliveries/s until the last one arrives, the service's CPU
 * per delivery and, on PostgreSQL, the transactions committed in the bench's database per
 * delivery (each statement outside a transaction is one): figures that hold up on a loaded
 * machine better than rates. They count the whole database, so give the bench a database of
 * its own (BENCH_DATABASE_URL=postgres://…/<a database nothing else uses>) for that figure.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient, embeddedToken } from '../support/api-client';
import { ServiceProcess } from '../support/service-process';
import { distribution, round } from '../support/stats';
import { ServiceStorage, withPostgres, type StoreKind } from '../support/storage';

const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',') as StoreKind[];
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5_000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 3_000);
const SERVICE_ENV = JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}') as Record<string, string>;
const NODE_ARGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

interface Target {
  url: string;
  /** Arrival time (performance.now) by event id. */
  arrivals: Map<string, number>;
  /** The publish time each event carried, by event id. */
  sentAt: Map<string, number>;
  received: number;
  /** While set, requests wait unanswered (the service's send slots for this target stay taken). */
  holding: boolean;
  /** Answers everything held and stops holding. */
  release(): void;
  close(): Promise<void>;
}

async function startTarget(): Promise<Target> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (target.holding) held.push(() => answer());
      else answer();
    });
    const answer = (): void => {
      const now = performance.now();
      response.end();
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { event_payload: string };
      const payload = JSON.parse(Buffer.from(body.event_payload, 'base64').toString()) as { id: string; sentAt: number };
      target.received += 1;
      if (!target.arrivals.has(payload.id)) target.arrivals.set(payload.id, now);
      target.sentAt.set(payload.id, payload.sentAt);
    };
  });
  const held: Array<() => void> = [];
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target: Target = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals: new Map(),
    sentAt: new Map(),
    received: 0,
    holding: false,
    release: () => {
      target.holding = false;
      for (const answer of held.splice(0)) answer();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return target;
}

const event = (id = randomUUID()) => ({
  id,
  aggregateId: 'a-1',
  aggregateType: 'bench',
  sequence: 1,
  eventType: 'bench.happened',
  createdAt: new Date().toISOString(),
  payload: { id, sentAt: performance.now() },
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for deliveries');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function run(kind: StoreKind): Promise<Record<string, unknown>> {
  const storage = await ServiceStorage.create(kind);
  const target = await startTarget();
  const service = await ServiceProcess.start({ storage, env: { TARGET_ALLOWED_NETWORKS: '127.0.0.0/8', ...SERVICE_ENV }, nodeArgs: NODE_ARGS });
  try {
    const api = new ApiClient(service.url(''), 'bench', await embeddedToken(storage.dataDir, 'bench'));
    const created = await api.request<{ id: string }>('POST', '/v3alpha/targets', { name: 'sink', restWebhook: { interruptOnError: false }, timeout: '600s', endpoint: target.url });
    if (created.status !== 201) throw new Error(`CreateTarget: ${created.status}`);
    const set = await api.setExecution({ event: { group: 'bench' } }, [created.body.id]);
    if (set.status !== 200) throw new Error(`SetExecution: ${set.status}`);

    const publishAll = async (ids: ReturnType<typeof randomUUID>[]): Promise<void> => {
      let next = 0;
      const publisher = async (): Promise<void> => {
        while (next < ids.length) {
          const batch = ids.slice(next, next + 100);
          next += batch.length;
          const answer = await api.request('POST', '/runtime/v1/events', { events: batch.map((id) => event(id)) });
          if (answer.status !== 202) throw new Error(`PublishEvents: ${answer.status} ${JSON.stringify(answer.body)}`);
        }
      };
      await Promise.all([publisher(), publisher(), publisher(), publisher()]);
    };

    // Throughput.
    const ids = Array.from({ length: EVENTS }, () => randomUUID());
    const started = performance.now();
    await publishAll(ids);
    const published = performance.now();
    const arrivedWhilePublishing = target.arrivals.size;
    await until(() => ids.every((id) => target.arrivals.has(id)), 300_000);
    const delivered = performance.now();

    // Delay at a steady rate.
    const paced: string[] = [];
    for (let index = 0; index < RATE * SECONDS; index += 1) {
      const due = performance.now() + 1000 / RATE;
      const one = event();
      paced.push(one.id);
      const answer = await api.request('POST', '/runtime/v1/events', { events: [one] });
      if (answer.status !== 202) throw new Error(`PublishEvents: ${answer.status}`);
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await until(() => paced.every((id) => target.arrivals.has(id)), 60_000);
    const delays = distribution(paced.map((id) => target.arrivals.get(id)! - target.sentAt.get(id)!));

    // Sustained sending: a backlog built while the target holds its first requests unanswered.
    const backlog = Array.from({ length: BACKLOG }, () => randomUUID());
    target.holding = true;
    await publishAll(backlog);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const [cpuBefore, commitsBefore] = [service.cpuSeconds(), await commits(storage)];
    const released = performance.now();
    target.release();
    await until(() => backlog.every((id) => target.arrivals.has(id)), 300_000);
    const drained = performance.now();
    const cpuPerDelivery = ((service.cpuSeconds() - cpuBefore) * 1000) / BACKLOG;
    // Backends report their counts when idle, at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const commitsPerDelivery = ((await commits(storage)) - commitsBefore) / BACKLOG;
    return {
      store: kind,
      events: EVENTS,
      publishedPerSecond: round((EVENTS / (published - started)) * 1000, 0),
      deliveriesPerSecond: round((EVENTS / (delivered - started)) * 1000, 0),
      totalSeconds: round((delivered - started) / 1000, 2),
      // The backlog left when publishing ended, sent with the publishers idle.
      backlogDeliveriesPerSecond: round(((EVENTS - arrivedWhilePublishing) / (delivered - published)) * 1000, 0),
      pacedRate: RATE,
      delayP50Ms: round(delays.p50, 1),
      delayP99Ms: round(delays.p99, 1),
      delayMaxMs: round(delays.max, 1),
      heldBacklog: BACKLOG,
      sustainedDeliveriesPerSecond: round((BACKLOG / (drained - released)) * 1000, 0),
      sustainedServiceCpuMsPerDelivery: round(cpuPerDelivery, 3),
      ...(kind === 'postgres' && { sustainedCommitsPerDelivery: round(commitsPerDelivery, 2) }),
      repeats: target.received - EVENTS - paced.length - BACKLOG,
    };
  } finally {
    await service.stop();
    await target.close();
    await storage.drop();
  }
}

/** Transactions committed so far in the bench's PostgreSQL database (0 on SQLite). */
async function commits(storage: ServiceStorage): Promise<number> {
  if (storage.kind !== 'postgres' || !storage.serverUrl) return 0;
  return withPostgres(storage.serverUrl, async (client) => {
    const { rows } = await client.query<{ commits: string }>('SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = current_database()');
    return Number(rows[0]?.commits ?? 0);
  });
}

async function main(): Promise<void> {
  for (const kind of STORES) console.log(JSON.stringify(await run(kind)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
