/** No subscriber of that name is registered with the manager. */
export class UnknownSubscriberError extends Error {
  constructor(readonly subscriber: string) {
    super(`Unknown subscriber "${subscriber}"`);
    this.name = 'UnknownSubscriberError';
  }
}

/** The subscriber's checkpoint did not reach the awaited position in time. */
export class SubscriberWaitTimeoutError extends Error {
  constructor(
    readonly subscriber: string,
    readonly awaitedPosition: number,
    readonly reachedPosition: number,
  ) {
    super(`Subscriber "${subscriber}" reached position ${reachedPosition}, not ${awaitedPosition}, before the timeout`);
    this.name = 'SubscriberWaitTimeoutError';
  }
}

/**
 * Another runner took over the subscriber (this one's lease ran out). Internal: the runner
 * stops delivering and tries to claim the lease again later.
 */
export class LeaseLostError extends Error {
  constructor(readonly subscriber: string) {
    super(`The delivery lease of subscriber "${subscriber}" was taken over by another runner`);
    this.name = 'LeaseLostError';
  }
}
