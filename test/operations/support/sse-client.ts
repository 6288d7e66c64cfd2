import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** A minimal EventSource for tests: raw messages and comment lines, with pause and close. */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  private buffer = '';
  private waiters: Array<() => void> = [];
  private ended = false;

  private constructor(
    readonly response: IncomingMessage,
    private readonly clientRequest: ClientRequest,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.feed(chunk));
    response.on('end', () => {
      this.ended = true;
      this.notify();
    });
    response.on('error', () => undefined);
  }

  static open(server: Server, path: string, headers: Record<string, string>): Promise<SseClient> {
    const { port } = server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const clientRequest = request({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers } }, (response) =>
        resolve(new SseClient(response, clientRequest)),
      );
      clientRequest.on('error', reject);
      clientRequest.end();
    });
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Resolves once `count` messages (not counting comments) have arrived. */
  async waitForMessages(count: number, timeoutMs = 10_000): Promise<SseMessage[]> {
    await this.waitUntil(() => this.messages.length >= count, timeoutMs, `${count} messages (got ${this.messages.length})`);
    return this.messages.slice(0, count);
  }

  async waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.ended) throw new Error(`stream ended before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  pause(): void {
    this.response.pause();
  }

  resume(): void {
    this.response.resume();
  }

  close(): void {
    this.clientRequest.destroy();
  }

  /** The whole body, for error answers (which are plain JSON). */
  async body(): Promise<string> {
    await this.waitUntil(() => this.ended, 5_000, 'the end of the body');
    return this.buffer;
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    if (this.status !== 200) return;
    let boundary: number;
    while ((boundary = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, boundary);
      this.buffer = this.buffer.slice(boundary + 2);
      const message: SseMessage = { data: '' };
      let isMessage = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) [message.id, isMessage] = [line.slice(4), true];
        else if (line.startsWith('event: ')) [message.event, isMessage] = [line.slice(7), true];
        else if (line.startsWith('data: ')) [message.data, isMessage] = [line.slice(6), true];
      }
      if (isMessage) this.messages.push(message);
    }
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
