import type { Distribution } from '../support/stats';

/** One write connection: cycles SetExecution then DeleteExecution over its own conditions. */
export interface WriteConnection {
  instanceId: string;
  token: string;
  /** Targets of the instance; each set names one or two of them. */
  targetIds: string[];
  /** Distinguishes the conditions of connections that share an instance. */
  index: number;
  /** Which share of the instance's catalogue this connection takes, of `shares`. */
  share: number;
  shares: number;
}

/** What the load generator process runs; all parts run at the same time. */
export interface LoadPlan {
  baseUrl: string;
  durationSeconds: number;
  writes?: WriteConnection[];
  /** ListExecutions calls on `connections` connections with one token and body. */
  lists?: { connections: number; token: string; body: string };
}

export interface StreamFigures {
  /** Completed requests (answers of any status). */
  requests: number;
  seconds: number;
  perSecond: number;
  latencyMs: Distribution;
  /** Latency per operation (`set`, `delete`, `list`). */
  operations: Record<string, Distribution>;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  /** Answers outside 2xx, connection errors and timeouts. */
  failures: number;
}

export interface LoadFigures {
  writes?: StreamFigures;
  lists?: StreamFigures;
  /** CPU the load generator itself used, in seconds (user + system). */
  generatorCpuSeconds: number;
  /** CPU the service process used meanwhile, in seconds (user + system, all threads); set by the orchestrator. */
  serviceCpuSeconds?: number;
  /** CPU the local PostgreSQL server used meanwhile, in seconds; set by the orchestrator when it can be read. */
  databaseCpuSeconds?: number;
}
