import { EntitySchema, type ValueTransformer } from 'typeorm';
import type { RebuildJob } from './system-views';

/** PostgreSQL returns bigint as a string; positions stay far below 2^53. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * The latest rebuild of each projection started through the operations API, as its replica
 * last wrote it: every replica on the same database reads its progress from here.
 */
export interface RebuildJobRow extends Omit<RebuildJob, 'projection' | 'state' | 'phase'> {
  /** The projection (one row each). */
  name: string;
  /** Which start this row belongs to (a new start replaces the row). */
  jobId: string;
  /** The replica running it (host:pid). */
  replica: string;
  /** Stored as text; read back through {@link RebuildJob}'s states and phases. */
  state: string;
  phase: string;
  /** Written with every progress report and heartbeat: a running row not written for long was left by a stopped replica. */
  updatedAt: string;
}

export const RebuildJobEntity = new EntitySchema<RebuildJobRow>({
  name: 'ProjectionRebuildJob',
  tableName: 'projection_rebuild_jobs',
  columns: {
    name: { type: 'varchar', length: 200, primary: true },
    jobId: { name: 'job_id', type: 'varchar', length: 64 },
    replica: { type: 'varchar', length: 200 },
    state: { type: 'varchar', length: 16 },
    phase: { type: 'varchar', length: 16 },
    done: { type: 'bigint', transformer: bigintAsNumber },
    total: { type: 'bigint', transformer: bigintAsNumber },
    eventsPerSecond: { name: 'events_per_second', type: 'integer' },
    etaSeconds: { name: 'eta_seconds', type: 'integer', nullable: true },
    startedAt: { name: 'started_at', type: 'varchar', length: 32 },
    finishedAt: { name: 'finished_at', type: 'varchar', length: 32, nullable: true },
    updatedAt: { name: 'updated_at', type: 'varchar', length: 32 },
    position: { type: 'bigint', nullable: true, transformer: bigintAsNumber },
    error: { type: 'text', nullable: true },
  },
});
