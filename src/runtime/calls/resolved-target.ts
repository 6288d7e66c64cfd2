import type { TargetType } from '../../targets/domain/target-events';

/** A target as a run calls it: its settings and its signing key in clear. */
export interface ResolvedTarget {
  id: string;
  targetType: TargetType;
  endpoint: string;
  /** Nanoseconds, as stored. */
  timeout: number;
  interruptOnError: boolean;
  signingKey: string;
}
