import type { ObjectDetails } from '../../common/domain/object-details';
import type { Condition, ExecutionType } from '../domain/condition';

/** An entry of an execution's target list as read. */
export type ExecutionTargetView = { target: string } | { include: Condition };

export interface ExecutionView {
  condition: Condition;
  /** When the execution was set after not existing. */
  creationDate: Date;
  details: ObjectDetails;
  targets: ExecutionTargetView[];
}

/** Sorting columns of ListExecutions. */
export type ExecutionSortField = 'ID' | 'CREATION_DATE' | 'CHANGE_DATE';

/** Filters of ListExecutions; several are ANDed. */
export type ExecutionFilter =
  | { kind: 'inConditions'; conditions: readonly Condition[] }
  | { kind: 'executionType'; executionType: ExecutionType }
  | { kind: 'target'; targetId: string }
  | { kind: 'include'; include: Condition };
