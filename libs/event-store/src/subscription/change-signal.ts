/**
 * A wake-up signal for tailing readers. Readers note `version` before reading and then wait
 * for a change since that version, so a notification that lands between the read and the
 * wait is never lost.
 */
export class ChangeSignal {
  private currentVersion = 0;
  private waiters = new Set<() => void>();

  get version(): number {
    return this.currentVersion;
  }

  /** Something may have been appended: wake every waiter. */
  notify(): void {
    this.currentVersion += 1;
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
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
