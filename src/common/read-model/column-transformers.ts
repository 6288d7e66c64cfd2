import type { ValueTransformer } from 'typeorm';

/** PostgreSQL returns bigint as a string; the values kept here stay far below 2^53. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * Dates as ISO-8601 UTC text with milliseconds: portable between SQLite and PostgreSQL, time-zone
 * safe, and sorted correctly as text.
 */
export const isoTimestamp: ValueTransformer = {
  to: (value: Date | undefined) => (value instanceof Date ? value.toISOString() : value),
  from: (value: string | null) => (value === null ? null : new Date(value)),
};

/** SQLite hands booleans back as 0/1. */
export const booleanColumn: ValueTransformer = {
  to: (value: boolean | undefined) => value,
  from: (value: boolean | number | null) => (value === null ? null : Boolean(value)),
};

export const TIMESTAMP_COLUMN = { type: 'varchar', length: 32, transformer: isoTimestamp } as const;

/** Escapes LIKE wildcards so user text matches literally (used with `ESCAPE '\'`). */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (char) => `\\${char}`);
