import { DataSource, type DataSourceOptions, type EntityManager } from 'typeorm';
import { stateTablePath } from '../database-dialect';
import { RebuildInProgressError } from '../errors';
import type { EntityTarget } from '../projection';
import { insertMissingStates } from '../projection-runner';
import { PROJECTION_STATE_TABLE } from '../projection-state.entity';
import { quote, tableCopies } from './table-copy';
import { namespaceSuffix, type RebuildNamespace, type RebuildState, type SwitchOutcome, type SwitchRequest } from './rebuild-namespace';

/** PostgreSQL identifiers are cut at 63 bytes. */
const MAX_IDENTIFIER = 63;
/** First key of the advisory locks that make rebuilds exclusive (the second is the schema's hash). */
const REBUILD_LOCK_CLASS = 724_311;

/**
 * A rebuild in its own schema, `<live schema>_rebuild_<projection>`, of the same database.
 * The switch runs on the live DataSource and reads the rebuilt tables across schemas.
 */
export class PostgresRebuildNamespace implements RebuildNamespace {
  private constructor(
    private readonly live: DataSource,
    readonly location: string,
  ) {}

  static async create(live: DataSource, projection: string): Promise<PostgresRebuildNamespace> {
    if (live.options.type !== 'postgres') throw new Error('Not a PostgreSQL DataSource');
    const liveSchema = live.options.schema ?? (await currentSchema(live));
    const prefix = `${liveSchema}_rebuild_`;
    const schema = `${prefix}${namespaceSuffix(projection, Math.max(12, MAX_IDENTIFIER - prefix.length))}`.slice(0, MAX_IDENTIFIER);
    return new PostgresRebuildNamespace(live, schema);
  }

  async exists(): Promise<boolean> {
    const rows: unknown[] = await this.live.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.location]);
    return rows.length > 0;
  }

  async readState(name: string): Promise<RebuildState | undefined> {
    const table = `${quote(this.live, this.location)}.${quote(this.live, PROJECTION_STATE_TABLE)}`;
    const [found]: Array<{ present: string | null }> = await this.live.query('SELECT to_regclass($1) AS present', [table]);
    if (!found?.present) return undefined;
    return readStateRow(this.live.manager, table, name);
  }

  async open(entities: readonly EntityTarget[]): Promise<DataSource> {
    await this.live.query(`CREATE SCHEMA IF NOT EXISTS ${quote(this.live, this.location)}`);
    const options = {
      ...this.live.options,
      schema: this.location,
      entities: [...entities],
      synchronize: false,
      migrationsRun: false,
      dropSchema: false,
      subscribers: [],
      migrations: [],
      poolSize: 2,
    } as DataSourceOptions;
    return new DataSource(options).initialize();
  }

  async switchOver({ live, liveDialect, projection, rebuild, catchUp }: SwitchRequest): Promise<SwitchOutcome> {
    const liveState = stateTablePath(live);
    const rebuildState = stateTablePath(rebuild);
    const copies = tableCopies(live, projection.entities);
    return liveDialect.transaction(live, liveState, async (manager) => {
      // Waits for a live batch in flight (another process included) and blocks the next ones.
      let livePosition = await liveDialect.lockCheckpoint(manager, liveState, projection.name);
      if (livePosition === undefined) {
        await insertMissingStates(manager, [projection.name]);
        livePosition = (await liveDialect.lockCheckpoint(manager, liveState, projection.name)) ?? 0;
      }
      let state = await readStateRow(manager, rebuildState, projection.name);
      if (catchUp && state && state.position < livePosition) {
        // The rebuild writes on its own connections and tables: no lock taken here stops it.
        await catchUp(livePosition);
        state = await readStateRow(manager, rebuildState, projection.name);
      }
      const rebuildPosition = state?.position ?? 0;
      if (!state || rebuildPosition < livePosition) return { switched: false, livePosition, rebuildPosition };

      // DELETE rather than TRUNCATE: readers keep reading the old rows (MVCC) until the commit
      // instead of queueing behind TRUNCATE's exclusive lock, and no snapshot ever sees them empty.
      for (const copy of [...copies].reverse()) await manager.query(`DELETE FROM ${copy.live}`);
      for (const copy of copies) {
        const source = `${quote(live, this.location)}.${quote(live, copy.tableName)}`;
        await manager.query(`INSERT INTO ${copy.live} (${copy.columnList}) OVERRIDING SYSTEM VALUE SELECT ${copy.columnList} FROM ${source}`);
        for (const column of copy.generatedColumns) {
          // The copied ids came from the rebuild's sequence: the live one continues after them.
          await manager.query(
            `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${quote(live, column)}) FROM ${copy.live}), 0) + 1, false)
             WHERE pg_get_serial_sequence($1, $2) IS NOT NULL`,
            [copy.live, column],
          );
        }
      }
      await manager.query(
        `UPDATE ${liveState} SET position = $1, events_processed = $2, last_event_at = $3, updated_at = $4, error_count = 0 WHERE name = $5`,
        [state.position, state.eventsProcessed, state.lastEventAt, new Date().toISOString(), projection.name],
      );
      return { switched: true, position: state.position, eventsProcessed: state.eventsProcessed };
    });
  }

  async drop(): Promise<void> {
    await this.live.query(`DROP SCHEMA IF EXISTS ${quote(this.live, this.location)} CASCADE`);
  }

  async lock(): Promise<() => Promise<void>> {
    // A session-level advisory lock on a connection held for the whole rebuild; it vanishes
    // with the connection if the process dies, so a crashed rebuild never blocks the next.
    const runner = this.live.createQueryRunner();
    try {
      const [row]: Array<{ locked: boolean }> = await runner.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [REBUILD_LOCK_CLASS, this.location]);
      if (!row.locked) throw new RebuildInProgressError(this.location);
    } catch (error) {
      await runner.release();
      throw error;
    }
    return async () => {
      try {
        await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [REBUILD_LOCK_CLASS, this.location]);
      } finally {
        await runner.release();
      }
    };
  }
}

async function currentSchema(live: DataSource): Promise<string> {
  const [row]: Array<{ schema: string }> = await live.query('SELECT current_schema() AS schema');
  return row.schema;
}

async function readStateRow(manager: EntityManager, table: string, name: string): Promise<RebuildState | undefined> {
  const rows: Array<{ position: string | number; events_processed: string | number; last_event_at: string | null; updated_at: string | null }> =
    await manager.query(`SELECT position, events_processed, last_event_at, updated_at FROM ${table} WHERE name = $1`, [name]);
  if (rows.length === 0) return undefined;
  const [row] = rows;
  return {
    position: Number(row.position),
    eventsProcessed: Number(row.events_processed),
    lastEventAt: row.last_event_at,
    updatedAt: row.updated_at === null ? null : new Date(row.updated_at),
  };
}
