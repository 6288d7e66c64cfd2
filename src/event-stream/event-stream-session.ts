import type { ServerResponse } from 'node:http';
import type { EventStore, StoredEvent, Subscription } from '@app/event-store';
import { SSE_HEARTBEAT, sseMessage } from './sse-message';

export interface EventStreamSessionOptions {
  store: EventStore;
  /** The caller's instance: only its events are sent. */
  tenant: string;
  /** Whether the caller may see an event of its instance (by the permission reading its aggregate). */
  mayRead: (event: StoredEvent) => boolean;
  /** First position sent (inclusive). */
  fromPosition: number;
  /** The SSE id of an event: an opaque cursor of the caller's instance. */
  cursorOf: (event: StoredEvent) => string;
  heartbeatMs: number;
  /** Called once when the session has ended, for whatever reason. */
  onEnd?: () => void;
  onError?: (error: unknown) => void;
}

/** Events read from the store per page while catching up. */
const PAGE_SIZE = 200;

/**
 * One client's event stream: the store subscription (catch-up, then live) written out as SSE
 * messages. Back-pressure: the subscription waits for each page to be written, and a write the
 * socket cannot take yet waits for `drain`, so a slow client slows its own reads instead of
 * filling memory. The subscription is closed when the client goes away.
 */
export class EventStreamSession {
  private subscription: Subscription | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private ended = false;
  private waitingForDrain = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly options: EventStreamSessionOptions,
  ) {}

  /** Where the store subscription would resume: how far this stream has read the log. */
  get position(): number {
    return this.subscription?.position ?? this.options.fromPosition;
  }

  start(): void {
    const { response, options } = this;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told otherwise.
      'x-accel-buffering': 'no',
    });
    // Tells EventSource clients how long to wait before reconnecting.
    response.write('retry: 2000\n\n');
    response.once('close', () => void this.end());
    this.subscription = options.store.subscribe(
      { fromPosition: options.fromPosition, filter: { tenant: options.tenant }, batchSize: PAGE_SIZE },
      (events) => this.write(events),
    );
    this.subscription.done.then(
      () => this.end(),
      (error: unknown) => {
        if (this.ended) return;
        options.onError?.(error);
        // The client reconnects (with Last-Event-ID) and resumes where this stream stopped.
        this.writeText(`event: error\ndata: ${JSON.stringify({ code: 14, message: 'The event store is unavailable, reconnect later' })}\n\n`);
        void this.end();
      },
    );
    this.heartbeat = setInterval(() => {
      if (!this.waitingForDrain) this.writeText(SSE_HEARTBEAT);
    }, options.heartbeatMs);
  }

  /** Ends the stream (client gone, shutdown, failure); closes the store subscription. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    if (!this.response.writableEnded) this.response.end();
    this.options.onEnd?.();
    await this.subscription?.close().catch(() => undefined);
  }

  private async write(events: readonly StoredEvent[]): Promise<void> {
    for (const event of events) {
      if (this.ended) return;
      if (!this.options.mayRead(event)) continue;
      if (!this.writeText(sseMessage(event, this.options.cursorOf(event)))) await this.drained();
    }
  }

  private writeText(text: string): boolean {
    if (this.ended || this.response.writableEnded || this.response.destroyed) return true;
    return this.response.write(text);
  }

  private drained(): Promise<void> {
    this.waitingForDrain = true;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.response.off('drain', done);
        this.response.off('close', done);
        this.waitingForDrain = false;
        resolve();
      };
      this.response.once('drain', done);
      this.response.once('close', done);
    });
  }
}
