import { Client, type ClientConfig } from 'pg';
import { quoteChannel } from './postgres-notify';

export interface PgListenerOptions {
  clientConfig: ClientConfig;
  channel: string;
  /** Called for every notification and after every (re)connect, when notifications may have been missed. */
  onWake: () => void;
  onError?: (error: unknown) => void;
  backoffMs?: { min: number; max: number };
}

/**
 * One dedicated connection that LISTENs on the store's channel. When the connection fails
 * it reconnects with exponential back-off, forever, until stop().
 */
export class PgListener {
  private client: Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private delay: number;

  constructor(private readonly options: PgListenerOptions) {
    this.delay = options.backoffMs?.min ?? 100;
  }

  start(): void {
    this.stopped = false;
    if (!this.client && !this.retryTimer) void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client(this.options.clientConfig);
    this.client = client;
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = undefined;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.options.onError?.(error);
      this.scheduleReconnect();
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('LISTEN connection ended')));
    client.on('notification', () => this.options.onWake());
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteChannel(this.options.channel)}`);
    } catch (error) {
      fail(error);
      return;
    }
    if (this.stopped || failed) return;
    this.delay = this.options.backoffMs?.min ?? 100;
    this.options.onWake();
  }

  private scheduleReconnect(): void {
    const max = this.options.backoffMs?.max ?? 5_000;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, max);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) void this.connect();
    }, wait);
    this.retryTimer.unref();
  }
}
