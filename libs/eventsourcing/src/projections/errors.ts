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

/** Another process is rebuilding the projection (into the same namespace) right now. */
export class RebuildInProgressError extends Error {
  constructor(readonly location: string) {
    super(`A rebuild into ${location} is already running`);
    this.name = 'RebuildInProgressError';
  }
}

/**
 * The live projection kept moving ahead of the rebuild at every switch attempt. Nothing was
 * switched; the rebuild is kept and the next call resumes it.
 */
export class RebuildSwitchError extends Error {
  constructor(
    readonly projection: string,
    readonly attempts: number,
  ) {
    super(`Projection "${projection}" could not be switched to its rebuild after ${attempts} attempts: the live projection kept moving ahead`);
    this.name = 'RebuildSwitchError';
  }
}
