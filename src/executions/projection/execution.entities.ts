import { EntitySchema } from 'typeorm';
import { TIMESTAMP_COLUMN } from '../../common/read-model/column-transformers';
import { tenantProgressEntity } from '../../common/read-model/tenant-progress';

export interface ExecutionRow {
  instance: string;
  id: string;
  creationDate: Date;
  changeDate: Date;
  /** Sequence (revision + 1) of the last event reduced into the row. */
  sequence: number;
}

/** One entry of an execution's ordered target list. */
export interface ExecutionTargetRow {
  instance: string;
  executionId: string;
  ordinal: number;
  /** 1 include, 2 target (as in the events). */
  type: number;
  /** Target id, or the included execution's id. */
  target: string;
}

export const ExecutionEntity = new EntitySchema<ExecutionRow>({
  name: 'Execution',
  tableName: 'executions',
  columns: {
    instance: { type: 'varchar', length: 200, primary: true },
    id: { type: 'varchar', length: 1100, primary: true },
    creationDate: { name: 'creation_date', ...TIMESTAMP_COLUMN },
    changeDate: { name: 'change_date', ...TIMESTAMP_COLUMN },
    sequence: { type: 'integer' },
  },
});

export const ExecutionTargetEntity = new EntitySchema<ExecutionTargetRow>({
  name: 'ExecutionTarget',
  tableName: 'execution_targets',
  columns: {
    instance: { type: 'varchar', length: 200, primary: true },
    executionId: { name: 'execution_id', type: 'varchar', length: 1100, primary: true },
    ordinal: { type: 'integer', primary: true },
    type: { type: 'integer' },
    target: { type: 'varchar', length: 1100 },
  },
  indices: [{ name: 'execution_targets_by_target', columns: ['instance', 'target'] }],
});

/** Per instance: how many of its events this projection reduced (list answers' processedSequence). */
export const ExecutionProgressEntity = tenantProgressEntity('ExecutionProgress', 'execution_progress');
