/**
 * The floor an event store is measured against: plain single-statement INSERTs of the same
 * events into a table shaped like the store's (same columns, primary key and unique indexes),
 * on the same server, with none of the store's work (no expected-revision check, no
 * idempotency, no read horizon), with the time-ordered ids the store generates. One statement
 * (autocommit: one commit) per append.
 */
import Database from 'better-sqlite3';
import { timeOrderedUuid } from '@app/event-store/contract/append-rules';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { AdapterName } from './adapters';
import { sampleEvent, type AppendFigures } from './workloads';

export interface RawBaseline {
  measure(writers: number, eventsPerAppend: number, seconds: number): Promise<AppendFigures>;
  close(): Promise<void>;
}

let runCounter = 0;

/** `writers` concurrent loops of one INSERT per append until `seconds` have passed. */
async function loop(writers: number, eventsPerAppend: number, seconds: number, insert: (stream: string, firstRevision: number, rows: unknown[][]) => Promise<void>): Promise<AppendFigures> {
  const run = `${process.pid}-raw-${(runCounter += 1)}`;
  let appends = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      const revisions = new Map<string, number>();
      for (let sequence = 0; performance.now() < deadline; sequence += 1) {
        const stream = `raw-${run}-w${writer}-s${sequence % 64}`;
        const first = (revisions.get(stream) ?? -1) + 1;
        const rows = Array.from({ length: eventsPerAppend }, (_, i) => {
          const event = sampleEvent(writer, sequence * eventsPerAppend + i);
          return [timeOrderedUuid(), stream, first + i, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata), event.tenant];
        });
        await insert(stream, first, rows);
        revisions.set(stream, first + eventsPerAppend - 1);
        appends += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { appends, events: appends * eventsPerAppend, seconds: elapsed, appendsPerSecond: Math.round(appends / elapsed), eventsPerSecond: Math.round((appends * eventsPerAppend) / elapsed) };
}

const COLUMNS = 'id, stream, revision, type, data, metadata, tenant, created_at';

export async function openRawBaseline(adapter: AdapterName, where: { dir?: string; databaseUrl?: string; schema?: string }): Promise<RawBaseline> {
  if (adapter === 'sqlite') {
    const db = new Database(join(where.dir!, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE raw_events (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL, revision INTEGER NOT NULL,
      type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, tenant TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (stream, revision))`);
    const statements = new Map<number, Database.Statement>();
    return {
      measure: (writers, eventsPerAppend, seconds) =>
        loop(writers, eventsPerAppend, seconds, async (_stream, _first, rows) => {
          let statement = statements.get(rows.length);
          if (!statement) {
            statement = db.prepare(`INSERT INTO raw_events (${COLUMNS}) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
            statements.set(rows.length, statement);
          }
          const now = Date.now();
          statement.run(rows.flatMap((row) => [...row, now]));
          // As a store's append would, hand control back to the event loop before the next one.
          await Promise.resolve();
        }),
      async close() {
        db.close();
      },
    };
  }
  const schema = `"${where.schema!}"`;
  const pool = new Pool({ connectionString: where.databaseUrl, max: 10, application_name: 'bench-raw-baseline' });
  await pool.query(`CREATE TABLE ${schema}.raw_events (position bigserial PRIMARY KEY, id uuid NOT NULL UNIQUE, stream text NOT NULL, revision bigint NOT NULL,
    type text NOT NULL, data json NOT NULL, metadata json NOT NULL, tenant text NOT NULL, created_at timestamptz NOT NULL, UNIQUE (stream, revision))`);
  return {
    measure: (writers, eventsPerAppend, seconds) =>
      loop(writers, eventsPerAppend, seconds, async (_stream, _first, rows) => {
        const values = rows.map((_, r) => `(${Array.from({ length: 7 }, (__, c) => `$${r * 7 + c + 1}`).join(', ')}, clock_timestamp())`).join(', ');
        await pool.query({ name: `raw_insert_${rows.length}`, text: `INSERT INTO ${schema}.raw_events (${COLUMNS}) VALUES ${values}`, values: rows.flat() });
      }),
    close: () => pool.end(),
  };
}
