import { EntitySchema, type ValueTransformer } from 'typeorm';
import { readEncryptedSecret, type EncryptedSecret } from '../../common/crypto/encrypted-secret';
import { bigintAsNumber, booleanColumn, TIMESTAMP_COLUMN } from '../../common/read-model/column-transformers';
import { tenantProgressEntity } from '../../common/read-model/tenant-progress';
import type { TargetType } from '../domain/target-events';

export interface TargetRow {
  instance: string;
  id: string;
  name: string;
  /**
   * `name` lower-cased in JS: case-insensitive queries then behave alike on SQLite, whose
   * LOWER() folds ASCII only, and PostgreSQL.
   */
  nameLower: string;
  targetType: TargetType;
  endpoint: string;
  /** Nanoseconds. */
  timeout: number;
  interruptOnError: boolean;
  /** Kept beside targetType so lists can sort on it (TARGET_FIELD_NAME_ASYNC). */
  isAsync: boolean;
  /** Sealed; null for a target added before keys existed and not yet given one. */
  signingKey?: EncryptedSecret | null;
  creationDate: Date;
  changeDate: Date;
  sequence: number;
}

const sealedJson: ValueTransformer = {
  to: (value: EncryptedSecret | null | undefined) => (value ? JSON.stringify(value) : value),
  from: (value: string | null) => (value === null ? null : (readEncryptedSecret(JSON.parse(value)) ?? null)),
};

export const TargetEntity = new EntitySchema<TargetRow>({
  name: 'Target',
  tableName: 'targets',
  columns: {
    instance: { type: 'varchar', length: 200, primary: true },
    id: { type: 'varchar', length: 200, primary: true },
    // Text: the API versions' protos hold the length limits (v2 names up to 1,000 characters).
    name: { type: 'text' },
    nameLower: { name: 'name_lower', type: 'text' },
    targetType: { name: 'target_type', type: 'integer' },
    endpoint: { type: 'text' },
    timeout: { type: 'bigint', transformer: bigintAsNumber },
    interruptOnError: { name: 'interrupt_on_error', type: 'boolean', transformer: booleanColumn },
    isAsync: { name: 'is_async', type: 'boolean', transformer: booleanColumn },
    signingKey: { name: 'signing_key', type: 'varchar', length: 400, nullable: true, transformer: sealedJson },
    creationDate: { name: 'creation_date', ...TIMESTAMP_COLUMN },
    changeDate: { name: 'change_date', ...TIMESTAMP_COLUMN },
    sequence: { type: 'integer' },
  },
  // No index on name: a 1,000-character name can exceed PostgreSQL's B-tree entry limit
  // (2,704 bytes), and every list is scoped to one instance by the primary key.
});

/** Per instance: how many of its events this projection reduced (list answers' processedSequence). */
export const TargetProgressEntity = tenantProgressEntity('TargetProgress', 'target_progress');
