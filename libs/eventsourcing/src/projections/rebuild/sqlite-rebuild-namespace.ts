import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { stateTablePath } from '../database-dialect';
import { RebuildInProgressError } from '../errors';
import type { EntityTarget } from '../projection';
import { PROJECTION_STATE_TABLE } from '../projection-state.entity';
import { nativeSqliteConnection, retryWhileBusy, writeWithoutWaiting } from '../sqlite-write-lock';
import { namespaceSuffix, type RebuildNamespace, type RebuildState, type SwitchOutcome, type SwitchRequest } from './rebuild-namespace';
import { quote, tableCopies } from './table-copy';

/** The name the rebuild file is attached under during the switch. */
const ATTACHED = 'projection_rebuild';

interface StateRow {
  position: number;
  events_processed: number;
  last_event_at: string | null;
  updated_at: string | null;
}

/**
 * A rebuild in its own database file beside the read model, `<file>.rebuild-<projection>.db`,
 * so the replay never takes the live file's write lock. The switch attaches that file to the
 * live connection and copies the tables in one transaction on the live file.
 */
export class SqliteRebuildNamespace implements RebuildNamespace {
  private constructor(
    private readonly live: DataSource,
    readonly location: string,
    private readonly lockWaitMs: number,
  ) {}

  static create(live: DataSource, projection: string, options: { lockWaitMs: number }): SqliteRebuildNamespace {
    if (live.options.type !== 'better-sqlite3') throw new Error('Not a better-sqlite3 DataSource');
    const file = `${resolve(live.options.database)}.rebuild-${namespaceSuffix(projection, 100)}.db`;
    return new SqliteRebuildNamespace(live, file, options.lockWaitMs);
  }

  async exists(): Promise<boolean> {
    return existsSync(this.location);
  }

  async readState(name: string): Promise<RebuildState | undefined> {
    if (!existsSync(this.location)) return undefined;
    const db = new Database(this.location, { readonly: true, fileMustExist: true });
    try {
      const table = PROJECTION_STATE_TABLE;
      const present = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
      if (!present) return undefined;
      const row = db.prepare(`SELECT position, events_processed, last_event_at, updated_at FROM "${table}" WHERE name = ?`).get(name) as StateRow | undefined;
      return row && toRebuildState(row);
    } finally {
      db.close();
    }
  }

  async open(entities: readonly EntityTarget[]): Promise<DataSource> {
    // Readable by the service's user only, like the live file it replaces.
    closeSync(openSync(this.location, 'a', 0o600));
    const options = {
      ...this.live.options,
      database: this.location,
      entities: [...entities],
      synchronize: false,
      migrationsRun: false,
      dropSchema: false,
      subscribers: [],
      migrations: [],
    } as DataSourceOptions;
    return new DataSource(options).initialize();
  }

  switchOver(request: SwitchRequest): Promise<SwitchOutcome> {
    // Queued with the live engine's batches of this process; retried (asynchronously) while
    // another process holds the live file's write lock, like those batches.
    return request.liveDialect.exclusive(() => retryWhileBusy(async () => this.switchNow(request), { waitMs: this.lockWaitMs }));
  }

  async drop(): Promise<void> {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${this.location}${suffix}`, { force: true });
  }

  async lock(): Promise<() => Promise<void>> {
    // A file naming the owner's process id; a file left by a process that no longer runs is
    // taken over, so a crashed rebuild never blocks the next one.
    const lockFile = `${this.location}.lock`;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const fd = openSync(lockFile, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return async () => rmSync(lockFile, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw wrapLockError(error, this.location);
        if (ownerIsRunning(lockFile)) throw new RebuildInProgressError(this.location);
        rmSync(lockFile, { force: true });
      }
    }
  }

  /**
   * Synchronous from ATTACH to DETACH: nothing else of this process can run on the connection
   * in between, and the transaction holds the live file's write lock only for the copy.
   */
  private switchNow({ live, projection }: SwitchRequest): SwitchOutcome {
    const db = nativeSqliteConnection(live.manager);
    const liveState = `main.${stateTablePath(live)}`;
    const rebuildState = `${ATTACHED}.${quote(live, PROJECTION_STATE_TABLE)}`;
    const copies = tableCopies(live, projection.entities);
    db.prepare(`ATTACH DATABASE ? AS ${ATTACHED}`).run(this.location);
    try {
      db.exec('BEGIN');
      try {
        // The first write takes the live file's write lock (or fails at once when it is busy).
        writeWithoutWaiting(db, `UPDATE ${liveState} SET name = name WHERE name = ?`, projection.name);
        const liveRow = db.prepare(`SELECT position FROM ${liveState} WHERE name = ?`).get(projection.name) as { position: number } | undefined;
        if (!liveRow) {
          db.prepare(`INSERT OR IGNORE INTO ${liveState} (name, position, updated_at, error_count, events_processed) VALUES (?, 0, ?, 0, 0)`).run(
            projection.name,
            new Date().toISOString(),
          );
        }
        const livePosition = Number(liveRow?.position ?? 0);
        const row = db.prepare(`SELECT position, events_processed, last_event_at, updated_at FROM ${rebuildState} WHERE name = ?`).get(projection.name) as
          | StateRow
          | undefined;
        const state = row && toRebuildState(row);
        if (!state || state.position < livePosition) {
          db.exec('ROLLBACK');
          return { switched: false, livePosition, rebuildPosition: state?.position ?? 0 };
        }
        for (const copy of [...copies].reverse()) db.exec(`DELETE FROM main.${copy.live}`);
        for (const copy of copies) {
          db.exec(`INSERT INTO main.${copy.live} (${copy.columnList}) SELECT ${copy.columnList} FROM ${ATTACHED}.${quote(live, copy.tableName)}`);
        }
        db.prepare(`UPDATE ${liveState} SET position = ?, events_processed = ?, last_event_at = ?, updated_at = ?, error_count = 0 WHERE name = ?`).run(
          state.position,
          state.eventsProcessed,
          state.lastEventAt,
          new Date().toISOString(),
          projection.name,
        );
        db.exec('COMMIT');
        return { switched: true, position: state.position, eventsProcessed: state.eventsProcessed };
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      db.exec(`DETACH DATABASE ${ATTACHED}`);
    }
  }
}

function toRebuildState(row: StateRow): RebuildState {
  return {
    position: Number(row.position),
    eventsProcessed: Number(row.events_processed),
    lastEventAt: row.last_event_at,
    updatedAt: row.updated_at === null ? null : new Date(row.updated_at),
  };
}

function ownerIsRunning(lockFile: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile, 'utf8').trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function wrapLockError(error: unknown, location: string): Error {
  if ((error as NodeJS.ErrnoException).code === 'EEXIST') return new RebuildInProgressError(location);
  return error instanceof Error ? error : new Error(String(error));
}
