import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { DatabaseDialect } from '../database-dialect';
import type { EntityTarget, Projection } from '../projection';

/** The rebuild's own checkpoint row, as stored in its namespace. */
export interface RebuildState {
  position: number;
  eventsProcessed: number;
  /** Raw `last_event_at` column (ISO text), copied as it is into the live row. */
  lastEventAt: string | null;
  updatedAt: Date | null;
}

export interface SwitchRequest {
  live: DataSource;
  liveDialect: DatabaseDialect;
  projection: Projection;
  /** The open namespace (from {@link RebuildNamespace.open}). */
  rebuild: DataSource;
  /**
   * Brings the rebuild to at least `livePosition`. A namespace that can wait inside the switch
   * calls it while the live checkpoint is locked, so a live projection that keeps moving cannot
   * outrun the rebuild from one attempt to the next; the gap is only what came in since the
   * replay ended.
   */
  catchUp?: (livePosition: number) => Promise<void>;
}

export type SwitchOutcome =
  | { switched: true; position: number; eventsProcessed: number }
  /** The live projection is ahead of the rebuild: nothing changed, catch the rebuild up and retry. */
  | { switched: false; livePosition: number; rebuildPosition: number };

/**
 * Where a projection is rebuilt: fresh tables of the projection's entities plus a
 * `projection_state` table, apart from the live ones (PostgreSQL: a schema; SQLite: a
 * database file beside the read model).
 */
export interface RebuildNamespace {
  /** Schema name or file path, for logs and status. */
  readonly location: string;
  exists(): Promise<boolean>;
  /** The rebuild's checkpoint row, or undefined when there is no rebuild in progress. */
  readState(name: string): Promise<RebuildState | undefined>;
  /** Creates the namespace when missing and opens a DataSource on it listing `entities`. */
  open(entities: readonly EntityTarget[]): Promise<DataSource>;
  /**
   * One transaction on the live database: locks the live checkpoint row, and if the rebuild
   * has reached it, replaces the live tables' rows with the rebuilt ones and moves the live
   * checkpoint to the rebuild's.
   */
  switchOver(request: SwitchRequest): Promise<SwitchOutcome>;
  /** Removes the namespace and everything in it. Idempotent. */
  drop(): Promise<void>;
  /**
   * Takes the right to rebuild this projection (one rebuild at a time across processes);
   * throws RebuildInProgressError when someone else has it. Returns the release function.
   */
  lock(): Promise<() => Promise<void>>;
}

/**
 * A name fragment safe in identifiers and file names. A short hash is added when characters
 * had to be replaced (or the result is cut), so distinct projection names never collide.
 */
export function namespaceSuffix(projection: string, maxLength: number): string {
  const safe = projection.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (safe === projection && safe.length <= maxLength) return safe;
  const hash = createHash('sha256').update(projection).digest('hex').slice(0, 8);
  return `${safe.slice(0, Math.max(0, maxLength - hash.length - 1))}_${hash}`;
}
