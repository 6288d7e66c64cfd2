import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

type Http2Handler = (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => void;

/**
 * A plaintext HTTP/2 (h2c) server: native gRPC clients speak HTTP/2 without TLS, and one
 * Connect handler serves gRPC, gRPC-web and Connect on it. Plaintext HTTP/2 has no upgrade
 * from HTTP/1.1, so HTTP/1.1 clients (curl without --http2-prior-knowledge, browsers) must use
 * the main HTTP port instead.
 */
export class H2cServer {
  private readonly server: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  /** `idleTimeoutMs`: a session without a frame for this long is closed (GOAWAY), so idle clients hold no resources. */
  constructor(handler: Http2Handler, options: { idleTimeoutMs?: number } = {}) {
    this.server = http2.createServer(handler);
    this.server.on('session', (session) => {
      if (options.idleTimeoutMs !== undefined) session.setTimeout(options.idleTimeoutMs, () => session.close());
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /**
   * Stops accepting connections, lets calls in flight finish for up to `graceMs`, then
   * destroys the remaining sessions so shutdown never hangs on an idle client connection.
   */
  async close(graceMs = 5_000): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) session.close();
    const timer = setTimeout(() => {
      for (const session of this.sessions) session.destroy();
    }, graceMs);
    timer.unref();
    try {
      await closed;
    } finally {
      clearTimeout(timer);
    }
  }
}
