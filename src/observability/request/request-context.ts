import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the service knows about the work in progress (an HTTP request, an RPC, a subscriber's
 * event) that events appended meanwhile must remember in their metadata.
 */
export interface RequestContext {
  /** Ties together everything one external request set off; the request id for HTTP. */
  correlationId: string;
  /** The message that directly caused the work: the request id, or the id of the handled event. */
  causationId: string;
  /** The id of the HTTP request being served, which log records written meanwhile carry. */
  requestId?: string;
  /** The error id (`COMMAND-suq2upd3rt`) the request was answered with, for its log record. */
  errorId?: string;
  /** Global position of the newest event the work appended (its answer's consistency token). */
  appendedPosition?: number;
  /** Position the caller's consistency token names: reads wait until the read model reaches it. */
  readAfterPosition?: number;
  /** The RPC a gRPC, gRPC-web or Connect request called and how it ended, for its log record and metrics. */
  rpc?: RpcOutcome;
}

export interface RpcOutcome {
  /** Full method name: `/zitadel.action.v3alpha.ActionService/CreateTarget`. */
  procedure: string;
  /** gRPC status code (0: OK). */
  code: number;
  /** The verified caller, when the token was accepted. */
  caller?: { subject: string; instanceId: string };
}

/** What appended events take from the context (a type alias, so it is assignable to event metadata). */
export type ContextMetadata = { correlationId: string; causationId: string };

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `work` (and everything it awaits or schedules) inside `context`. */
export function runWithRequestContext<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** The context of the work in progress, or undefined outside any (start-up, timers). */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Remembers the error id the work in progress is answered with (its log record names it). */
export function noteAnsweredErrorId(errorId: string): void {
  const context = storage.getStore();
  if (context) context.errorId = errorId;
}

/** Remembers which RPC the request in progress called and how it ended. */
export function noteRpcOutcome(outcome: RpcOutcome): void {
  const context = storage.getStore();
  if (context) context.rpc = outcome;
}

/** Remembers that the work in progress appended an event at `position`. */
export function noteAppendedPosition(position: number): void {
  const context = storage.getStore();
  if (context) context.appendedPosition = Math.max(context.appendedPosition ?? 0, position);
}

/** Makes the reads of the work in progress wait until the read model has reached `position`. */
export function readAfterPosition(position: number): void {
  const context = storage.getStore();
  if (context) context.readAfterPosition = Math.max(context.readAfterPosition ?? 0, position);
}

/** The metadata events appended now must carry: correlation and causation ids of the work in progress. */
export function currentContextMetadata(): ContextMetadata | undefined {
  const context = storage.getStore();
  return context && { correlationId: context.correlationId, causationId: context.causationId };
}
