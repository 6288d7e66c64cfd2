import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCall {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Reply = (call: ReceivedCall, response: ServerResponse) => void;

/** A real HTTP server on loopback standing in for targets: each path answers as the test says. */
export class WebhookServer {
  readonly calls: ReceivedCall[] = [];
  private readonly replies = new Map<string, Reply>();
  private server!: Server;
  port = 0;

  static async start(): Promise<WebhookServer> {
    const hooks = new WebhookServer();
    hooks.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const call = { path: request.url ?? '/', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        hooks.calls.push(call);
        const reply = hooks.replies.get(call.path) ?? ((_call, res) => res.end());
        reply(call, response);
      });
    });
    await new Promise<void>((resolve) => hooks.server.listen(0, '127.0.0.1', resolve));
    hooks.port = (hooks.server.address() as AddressInfo).port;
    return hooks;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string, reply: Reply): void {
    this.replies.set(path, reply);
  }

  /** Answers `status` with `body` (a string as is, anything else as JSON). */
  answer(path: string, status: number, body?: unknown): void {
    this.on(path, (_call, response) => {
      response.statusCode = status;
      response.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
    });
  }

  callsTo(path: string): ReceivedCall[] {
    return this.calls.filter((call) => call.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
