/** Runs async jobs one after another, in call order. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    // The next job waits for this one whatever its outcome; errors belong to this caller only.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
