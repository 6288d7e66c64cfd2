import type { ObjectDetails } from '../../common/domain/object-details';
import type { TargetFields } from '../domain/target-events';

export interface TargetView extends TargetFields {
  id: string;
  creationDate: Date;
  details: ObjectDetails;
  /** The signing key in clear; only when the query asked for it (TargetQueryOptions). */
  signingKey?: string;
}

/** For callers allowed to see secrets (the v2 API answers signing keys). */
export interface TargetQueryOptions {
  withSigningKey?: boolean;
}

export type TextMatch =
  | 'EQUALS'
  | 'EQUALS_IGNORE_CASE'
  | 'STARTS_WITH'
  | 'STARTS_WITH_IGNORE_CASE'
  | 'CONTAINS'
  | 'CONTAINS_IGNORE_CASE'
  | 'ENDS_WITH'
  | 'ENDS_WITH_IGNORE_CASE';

/** Filters of ListTargets; several are ANDed. */
export type TargetFilter = { kind: 'name'; name: string; match: TextMatch } | { kind: 'ids'; ids: readonly string[] };

export type TargetSortField =
  | 'UNSPECIFIED'
  | 'ID'
  | 'CREATION_DATE'
  | 'CHANGE_DATE'
  | 'NAME'
  | 'TARGET_TYPE'
  | 'URL'
  | 'TIMEOUT'
  | 'ASYNC'
  | 'INTERRUPT_ON_ERROR';
