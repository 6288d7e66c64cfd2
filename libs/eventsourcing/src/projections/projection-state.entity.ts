import { EntitySchema, type ValueTransformer } from 'typeorm';

/** One row per projection: its checkpoint and what operators need to judge its health. */
export interface ProjectionStateRow {
  name: string;
  /** Global position up to which (inclusive) the log has been reduced; 0 before the first event. */
  position: number;
  /** `createdAt` of the last event the projection reduced. */
  lastEventAt: Date | null;
  /** When the checkpoint was last written. */
  updatedAt: Date;
  /** Message of the most recent failure (kept after recovery; see errorCount). */
  lastError: string | null;
  lastErrorAt: Date | null;
  /** Consecutive failed batches; 0 once a batch commits again. */
  errorCount: number;
  /** Events reduced since the projection was created or last reset. */
  eventsProcessed: number;
}

/** PostgreSQL returns bigint as a string; positions stay far below 2^53. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * Timestamps are stored as ISO-8601 UTC text: TypeORM has no column type that is
 * time-zone-safe on both SQLite and PostgreSQL (`Date` maps to `timestamp without time zone`
 * on PostgreSQL, which depends on the writing process's zone). ISO text sorts correctly.
 */
export const isoTimestamp: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.toISOString() : value),
  from: (value: string | null) => (value === null ? null : new Date(value)),
};

export const PROJECTION_STATE_TABLE = 'projection_state';

export const ProjectionStateEntity = new EntitySchema<ProjectionStateRow>({
  name: 'ProjectionState',
  tableName: PROJECTION_STATE_TABLE,
  columns: {
    name: { type: 'varchar', length: 200, primary: true },
    position: { type: 'bigint', transformer: bigintAsNumber },
    lastEventAt: { name: 'last_event_at', type: 'varchar', length: 32, nullable: true, transformer: isoTimestamp },
    updatedAt: { name: 'updated_at', type: 'varchar', length: 32, transformer: isoTimestamp },
    lastError: { name: 'last_error', type: 'text', nullable: true },
    lastErrorAt: { name: 'last_error_at', type: 'varchar', length: 32, nullable: true, transformer: isoTimestamp },
    errorCount: { name: 'error_count', type: 'integer', default: 0 },
    eventsProcessed: { name: 'events_processed', type: 'bigint', default: 0, transformer: bigintAsNumber },
  },
});
