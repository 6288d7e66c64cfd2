/**
 * Append latency while other instances hold idle event streams open: the built service on
 * SQLite, one instance writing (sequential CreateTarget calls, each an append of two streams)
 * with 0 and then BENCH_STREAMS (default 2,000) idle streams of other instances open.
 *
 *   npm run build && node dist/bench/event-streams/main.js
 *   BENCH_STREAMS=2000 BENCH_WRITES=300 BENCH_STREAM_TENANTS=200 (defaults)
 *
 * The caps are raised for the run so the streams can be opened (the defaults refuse most of them).
 */
import { request, type ClientRequest } from 'node:http';
import { ApiClient, embeddedToken } from '../support/api-client';
import { ServiceProcess } from '../support/service-process';
import { distribution, round } from '../support/stats';
import { ServiceStorage } from '../support/storage';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 2_000);
const WRITES = Number(process.env.BENCH_WRITES ?? 300);
const STREAM_TENANTS = Number(process.env.BENCH_STREAM_TENANTS ?? 200);

function openIdleStream(baseUrl: string, token: string): Promise<ClientRequest> {
  return new Promise((resolve, reject) => {
    const clientRequest = request(`${baseUrl}/v3alpha/events`, { headers: { authorization: `Bearer ${token}` } }, (response) => {
      if (response.statusCode !== 200) reject(new Error(`stream answered ${response.statusCode}`));
      response.resume();
      resolve(clientRequest);
    });
    clientRequest.on('error', reject);
    clientRequest.end();
  });
}

async function appendLatencies(api: ApiClient, label: string): Promise<number[]> {
  const latencies: number[] = [];
  for (let write = 0; write < WRITES; write += 1) {
    const started = performance.now();
    await api.createTarget(`${label}-${write}`);
    latencies.push(performance.now() - started);
  }
  return latencies;
}

async function main(): Promise<void> {
  const storage = await ServiceStorage.create('sqlite');
  const service = await ServiceProcess.start({
    storage,
    env: { EVENT_STREAM_MAX_PER_TENANT: String(STREAMS), EVENT_STREAM_MAX_TOTAL: String(STREAMS), EVENT_STREAM_HEARTBEAT_MS: '15000' },
  });
  const streams: ClientRequest[] = [];
  try {
    const writer = new ApiClient(service.url(''), 'bench-stream-writer', await embeddedToken(storage.dataDir, 'bench-stream-writer'));
    await appendLatencies(writer, 'warm-up');
    const quiet = distribution(await appendLatencies(writer, 'no-streams'));
    console.log(`measured without streams: p50 ${round(quiet.p50, 2)} ms`);
    const tokens = await Promise.all(Array.from({ length: STREAM_TENANTS }, (_, index) => embeddedToken(storage.dataDir, `bench-stream-reader-${index}`)));
    for (let index = 0; index < STREAMS; index += 50) {
      streams.push(...(await Promise.all(Array.from({ length: Math.min(50, STREAMS - index) }, (_, offset) => openIdleStream(service.url(''), tokens[(index + offset) % tokens.length])))));
    }
    console.log(`opened ${streams.length} streams`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const loaded = distribution(await appendLatencies(writer, 'with-streams'));
    const row = (name: string, figures: ReturnType<typeof distribution>): string =>
      `${name.padEnd(28)} p50 ${round(figures.p50, 2)} ms  p95 ${round(figures.p95, 2)} ms  p99 ${round(figures.p99, 2)} ms  mean ${round(figures.mean, 2)} ms`;
    console.log(`CreateTarget latency, ${WRITES} sequential writes of one instance (SQLite)`);
    console.log(row('no event streams', quiet));
    console.log(row(`${STREAMS} idle streams of ${STREAM_TENANTS} other instances`, loaded));
  } finally {
    for (const stream of streams) stream.destroy();
    await service.stop().catch(() => service.kill());
    await storage.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
