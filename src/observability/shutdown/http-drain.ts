import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/** What is known of one connection: its answers not yet finished (oldest first), and its idle timer. */
interface ConnectionState {
  pending: ServerResponse[];
  idleTimer?: NodeJS.Timeout;
}

/**
 * Lets an HTTP/1.1 server close without resetting a connection a client is using. Node's
 * `server.close()` destroys every connection idle at that instant, so a request already on its
 * way over a kept-alive connection (or read into the socket but not yet parsed) is reset.
 * Draining instead: stop accepting; answer every request received on an open connection, the
 * last one known on each connection with `Connection: close` (pipelined requests read before it
 * are answered first); close a connection once it has been idle for `idleMs` with no bytes
 * arriving. `server.close(callback)` (as Nest calls it) starts the drain and calls back once
 * every connection has closed.
 */
export class HttpDrain {
  private readonly connections = new Map<Socket, ConnectionState>();
  private draining = false;
  private drained: Promise<void> | undefined;

  constructor(
    private readonly server: Server,
    private readonly idleMs: number,
  ) {
    server.on('connection', (socket: Socket) => {
      const state: ConnectionState = { pending: [] };
      this.connections.set(socket, state);
      socket.once('close', () => {
        clearTimeout(state.idleTimer);
        this.connections.delete(socket);
      });
      if (this.draining) this.closeWhenIdle(socket, state);
    });
    // Before the application's own listener, so every answer is known before it can be written.
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => this.track(request, response));
    server.close = (callback?: (error?: Error) => void): Server => {
      void this.begin().then(() => callback?.());
      return server;
    };
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Starts draining (once); resolves when every connection has closed. */
  begin(): Promise<void> {
    if (this.drained) return this.drained;
    this.draining = true;
    // net.Server's close: stop listening, keep the connections (http.Server's would destroy idle ones).
    this.drained = new Promise<void>((resolve) => NetServer.prototype.close.call(this.server, () => resolve()));
    for (const [socket, state] of this.connections) {
      this.markLast(state);
      if (state.pending.length === 0) this.closeWhenIdle(socket, state);
    }
    return this.drained;
  }

  private track(request: IncomingMessage, response: ServerResponse): void {
    const socket = request.socket;
    const state = this.connections.get(socket);
    if (!state) return;
    clearTimeout(state.idleTimer);
    state.pending.push(response);
    const keepAlive = response.shouldKeepAlive;
    keepAliveOf.set(response, keepAlive);
    if (this.draining) this.markLast(state);
    response.once('close', () => {
      state.pending = state.pending.filter((pending) => pending !== response);
      if (this.draining && state.pending.length === 0 && !socket.destroyed) this.closeWhenIdle(socket, state);
    });
  }

  /** Only the newest answer not yet begun closes the connection, so none queued behind it is lost. */
  private markLast(state: ConnectionState): void {
    state.pending.forEach((response, index) => {
      if (response.headersSent) return;
      response.shouldKeepAlive = index === state.pending.length - 1 ? false : (keepAliveOf.get(response) ?? false);
    });
  }

  /** Closes the connection once no bytes have arrived on it for `idleMs` (a request on its way re-arms the wait). */
  private closeWhenIdle(socket: Socket, state: ConnectionState): void {
    clearTimeout(state.idleTimer);
    const bytesRead = socket.bytesRead;
    state.idleTimer = setTimeout(() => {
      if (state.pending.length > 0 || socket.destroyed) return;
      if (socket.bytesRead !== bytesRead) this.closeWhenIdle(socket, state);
      else socket.destroy();
    }, this.idleMs);
  }
}

/** Each answer's keep-alive as Node decided it from its request (HTTP/1.0 without keep-alive: false). */
const keepAliveOf = new WeakMap<ServerResponse, boolean>();

/**
 * Makes the framework close only once the drain has closed every connection: closing, Fastify
 * answers every request with `Connection: close`, which would cut the requests pipelined behind
 * the first on a connection instead of answering them.
 */
export function closeAfterDrain(adapter: { close(): Promise<unknown> }, drain: HttpDrain): void {
  const close = adapter.close.bind(adapter);
  adapter.close = async () => {
    await drain.begin();
    return close();
  };
}
