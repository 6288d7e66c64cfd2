/**
 * Visibility lag of the PostgreSQL store under its own write load: BENCH_WRITERS loops append
 * 1-event appends for BENCH_SECONDS while a subscription times each of the first writer's
 * events from its acknowledgement to its delivery (which waits for the gap-safe read horizon).
 * Prints appends/s and the lag's median, p90 and p99. `node dist/bench/store/visibility-lag.js`
 * in two checkouts, alternately, compares two builds.
 */
import { PostgresEventStore } from '@app/event-store/adapters/postgres/postgres-event-store';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { databaseUrl } from './adapters';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const writers = Number(process.env.BENCH_WRITERS ?? 32);

async function main(): Promise<void> {
  const schema = `bench_lag_${randomBytes(6).toString('hex')}`;
  const store = new PostgresEventStore({ connection: databaseUrl, schema, applicationName: schema });
  await store.init();
  const acknowledged = new Map<string, number>();
  const lags: number[] = [];
  const subscription = store.subscribe({ fromPosition: 0 }, (events) => {
    const now = performance.now();
    for (const event of events) {
      const at = acknowledged.get(event.id);
      if (at !== undefined) lags.push(now - at);
    }
  });
  let appends = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let sequence = 0; performance.now() < deadline; sequence += 1) {
        const id = randomUUID();
        await store.append(`lag-${writer}-${sequence}`, [{ id, type: 'lag.measured', tenant: 't', data: { writer, sequence } }], { expectedRevision: 'no_stream' });
        if (writer === 0) acknowledged.set(id, performance.now());
        appends += 1;
      }
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  await subscription.close();
  await store.close();
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
  lags.sort((a, b) => a - b);
  const quantile = (q: number) => (lags[Math.min(lags.length - 1, Math.floor(lags.length * q))] ?? NaN).toFixed(1);
  console.log(`${writers} writers: ${Math.round(appends / seconds)} appends/s; lag of ${lags.length} events: median ${quantile(0.5)} ms, p90 ${quantile(0.9)} ms, p99 ${quantile(0.99)} ms`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
