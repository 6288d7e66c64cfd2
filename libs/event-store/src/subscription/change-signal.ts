/**
 * A wake-up signal for tailing readers. Readers note `version` before reading and then wait
 * for a change since that version, so a notification that lands between the read and the
 * wait is never lost.
 *
 * Waiters are woken once per turn of the event loop however many notifications came in it:
 * under load, the appends of all requests served in one turn then cost every subscription one
 * read (and its consumers one batch) instead of one each. The version moves at once, so a
 * reader that starts after a notification never waits for it.
 */
export class ChangeSignal {
  private currentVersion = 0;
  private waiters = new Set<() => void>();
  private wakeScheduled = false;

  get version(): number {
    return this.currentVersion;
  }

  /** Something may have been appended: wake every waiter (at the end of this event-loop turn). */
  notify(): void {
    this.currentVersion += 1;
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      const waiters = this.waiters;
      this.waiters = new Set();
      for (const wake of waiters) wake();
    });
  }

  /**
   * Resolves at the first notification after `sinceVersion` (at once if one happened already),
   * after `timeoutMs`, or when `abort` fires, whichever comes first.
   */
  wait(sinceVersion: number, timeoutMs: number, abort?: AbortSignal): Promise<void> {
    if (this.currentVersion !== sinceVersion || abort?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(finish);
        abort?.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.waiters.add(finish);
      abort?.addEventListener('abort', finish, { once: true });
    });
  }

  get waiting(): number {
    return this.waiters.size;
  }
}
