import type { Pool } from 'pg';

/** Channel on which appends to one schema's log are announced to other processes. */
export function channelFor(schema: string): string {
  return `event_store_${schema}`.slice(0, 63);
}

export function quoteChannel(channel: string): string {
  return `"${channel.replace(/"/g, '""')}"`;
}

/**
 * Announces appends to other processes with at most one `pg_notify` per interval, sent on
 * its own pooled connection after the appends committed. A NOTIFY inside the appending
 * transaction would take a database-wide lock at commit and serialise every writer.
 */
export class CoalescedNotifier {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  appended(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => this.send(), this.intervalMs);
  }

  /** Sends what is pending, so other processes hear of the last appends before the pool ends. */
  async close(): Promise<void> {
    if (this.timer) this.send();
    this.closed = true;
    await this.inFlight;
  }

  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const sending = this.pool.query("SELECT pg_notify($1, '')", [this.channel]).then(() => undefined, this.onError);
    this.inFlight = sending;
    void sending.finally(() => {
      if (this.inFlight === sending) this.inFlight = undefined;
    });
  }
}
