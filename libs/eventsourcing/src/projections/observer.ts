import { errorMessage, type ProjectionLogger } from './logger';

/** A committed projection batch. */
export interface ProjectionBatchInfo {
  projection: string;
  /** Events reduced by the batch (0 when it only moved past events of other types). */
  events: number;
  /** From opening the transaction to its commit. */
  durationMs: number;
  /** The checkpoint after the batch. */
  position: number;
}

/** A projection batch that failed and was rolled back. */
export interface ProjectionFailureInfo {
  projection: string;
  error: unknown;
  /** The checkpoint the batch started from (unchanged by the failure). */
  position: number;
}

/**
 * Hooks for metrics (e.g. Prometheus counters and histograms in the service), so the library
 * needs no metrics dependency. Called synchronously after the fact; keep them cheap. A
 * throwing hook is logged and otherwise ignored.
 */
export interface ProjectionObserver {
  onBatch?(info: ProjectionBatchInfo): void;
  onFailure?(info: ProjectionFailureInfo): void;
}

/** Calls an observer hook, keeping its failures away from the caller. */
export function notifyObserver<T>(hook: ((info: T) => void) | undefined, info: T, logger: ProjectionLogger): void {
  if (!hook) return;
  try {
    hook(info);
  } catch (error) {
    logger.warn('An observer hook threw', { error: errorMessage(error) });
  }
}
