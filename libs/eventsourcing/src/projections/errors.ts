/** No projection of that name is registered with the engine. */
export class UnknownProjectionError extends Error {
  constructor(readonly projection: string) {
    super(`Unknown projection "${projection}"`);
    this.name = 'UnknownProjectionError';
  }
}

/**
 * The log did not show the awaited position in time (it was never appended, or another
 * writer's transaction holding an earlier position stayed open).
 */
export class ProjectionWaitTimeoutError extends Error {
  constructor(
    readonly projection: string,
    readonly awaitedPosition: number,
    readonly reachedPosition: number,
  ) {
    super(`Projection "${projection}" reached position ${reachedPosition}, not ${awaitedPosition}, before the timeout`);
    this.name = 'ProjectionWaitTimeoutError';
  }
}
