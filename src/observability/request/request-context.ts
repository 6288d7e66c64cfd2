import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the service knows about the work in progress (an HTTP request, an RPC, a subscriber's
 * event) that events appended meanwhile must remember in their metadata.
 */
// A type alias (not an interface) so a context is assignable to event metadata as it is.
export type RequestContext = {
  /** Ties together everything one external request set off; the request id for HTTP. */
  correlationId: string;
  /** The message that directly caused the work: the request id, or the id of the handled event. */
  causationId: string;
};

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `work` (and everything it awaits or schedules) inside `context`. */
export function runWithRequestContext<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** The context of the work in progress, or undefined outside any (start-up, timers). */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}
