/**
 * Shares one call of `read` among concurrent callers while guaranteeing each caller a result
 * produced by a call that *started after* it asked (so a value written before the request is
 * always seen). At most one call is in flight and at most one more is queued, however many
 * callers there are.
 */
export class CoalescingRead<T> {
  private inFlight: Promise<T> | undefined;
  private queued: Promise<T> | undefined;

  constructor(private readonly read: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.queued) return this.queued;
    if (!this.inFlight) return this.start();
    const previous = this.inFlight;
    const next = previous.then(
      () => this.start(),
      () => this.start(),
    );
    this.queued = next;
    return next;
  }

  private start(): Promise<T> {
    this.queued = undefined;
    const call = this.read();
    this.inFlight = call;
    const clear = () => {
      if (this.inFlight === call) this.inFlight = undefined;
    };
    call.then(clear, clear);
    return call;
  }
}
