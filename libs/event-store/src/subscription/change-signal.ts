/** What a tailing reader waits on: a version to note before reading, and a wait for a change since it. */
export interface ChangeWatch {
  readonly version: number;
  /**
   * Resolves at the first notification after `sinceVersion` (at once if one happened already),
   * after `timeoutMs`, or when `abort` fires, whichever comes first.
   */
  wait(sinceVersion: number, timeoutMs: number, abort?: AbortSignal): Promise<void>;
}

/** A {@link ChangeWatch} of one tenant's appends; released when its reader stops. */
export interface TenantChangeWatch extends ChangeWatch {
  release(): void;
}

/** Readers woken by the same notifications: every one, or those naming one tenant. */
class Audience implements ChangeWatch {
  version = 0;
  readonly waiters = new Set<() => void>();
  /** Readers holding this audience (tenant audiences are dropped when none is left). */
  holders = 0;

  wait(sinceVersion: number, timeoutMs: number, abort?: AbortSignal): Promise<void> {
    if (this.version !== sinceVersion || abort?.aborted) return Promise.resolve();
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

  wakeAll(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}

/**
 * A wake-up signal for tailing readers. Readers note `version` before reading and then wait
 * for a change since that version, so a notification that lands between the read and the
 * wait is never lost.
 *
 * A notification names the tenants whose events were appended, when the store knows them: a
 * reader of one tenant's events ({@link watchTenant}) is then woken only by its tenant's
 * appends, so an append costs the readers of other tenants nothing. A notification naming no
 * tenant (another process wrote, an import) wakes every reader.
 *
 * Waiters are woken once per turn of the event loop however many notifications came in it:
 * under load, the appends of all requests served in one turn then cost every subscription one
 * read (and its consumers one batch) instead of one each. Versions move at once, so a reader
 * that starts after a notification never waits for it.
 */
export class ChangeSignal implements ChangeWatch {
  private readonly everyone = new Audience();
  private readonly tenants = new Map<string, Audience>();
  private wakeScheduled = false;
  private wakeEveryTenant = false;
  private readonly tenantsToWake = new Set<string>();

  get version(): number {
    return this.everyone.version;
  }

  /**
   * Something may have been appended, by `tenants` when given (every tenant otherwise): wake
   * the readers concerned at the end of this event-loop turn.
   */
  notify(tenants?: Iterable<string>): void {
    this.everyone.version += 1;
    if (tenants === undefined) {
      this.wakeEveryTenant = true;
      for (const audience of this.tenants.values()) audience.version += 1;
    } else {
      for (const tenant of tenants) {
        const audience = this.tenants.get(tenant);
        if (!audience) continue;
        audience.version += 1;
        this.tenantsToWake.add(tenant);
      }
    }
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(this.wake);
  }

  /** Waits for any notification (see {@link ChangeWatch.wait}). */
  wait(sinceVersion: number, timeoutMs: number, abort?: AbortSignal): Promise<void> {
    return this.everyone.wait(sinceVersion, timeoutMs, abort);
  }

  /** A watch woken only by notifications that name `tenant` or name no tenant. */
  watchTenant(tenant: string): TenantChangeWatch {
    let audience = this.tenants.get(tenant);
    if (!audience) {
      audience = new Audience();
      this.tenants.set(tenant, audience);
    }
    audience.holders += 1;
    const held = audience;
    let released = false;
    return {
      get version() {
        return held.version;
      },
      wait: (sinceVersion, timeoutMs, abort) => held.wait(sinceVersion, timeoutMs, abort),
      release: () => {
        if (released) return;
        released = true;
        held.holders -= 1;
        if (held.holders === 0 && this.tenants.get(tenant) === held) this.tenants.delete(tenant);
      },
    };
  }

  /** Readers waiting right now, of every audience. */
  get waiting(): number {
    let count = this.everyone.waiters.size;
    for (const audience of this.tenants.values()) count += audience.waiters.size;
    return count;
  }

  private readonly wake = (): void => {
    this.wakeScheduled = false;
    const everyTenant = this.wakeEveryTenant;
    const tenants = [...this.tenantsToWake];
    this.wakeEveryTenant = false;
    this.tenantsToWake.clear();
    this.everyone.wakeAll();
    if (everyTenant) {
      for (const audience of this.tenants.values()) audience.wakeAll();
      return;
    }
    for (const tenant of tenants) this.tenants.get(tenant)?.wakeAll();
  };
}
