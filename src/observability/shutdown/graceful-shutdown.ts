import type { Server } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import type { HttpDrain } from './http-drain';

export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export interface GracefulShutdownOptions {
  /** How long requests in flight may take before their connections are cut. */
  graceMs: number;
  logger: LoggerService;
  /** The HTTP port's drain (see HttpDrain), begun at the signal. */
  drain?: HttpDrain;
  /** Stops servers that are not the HTTP port (the gRPC port) before the application closes. */
  stopOtherServers?: () => Promise<void>;
  /** Process exit; injectable for tests. */
  exit?: (code: number) => void;
}

/**
 * On the first SIGTERM/SIGINT: stop accepting connections, let requests in flight finish and
 * answer those arriving on open connections with `Connection: close` (the drain; gRPC: GOAWAY),
 * up to `graceMs`, then cut; end event streams, let the projection batch and subscriber event in
 * hand finish, close the stores, and exit 0 (1 when closing failed). A second signal exits at
 * once with 1.
 *
 * Replaces Nest's own signal handling (enableShutdownHooks), which re-raises the signal after
 * closing (exit code 143 instead of 0) and ignores a second signal.
 */
export function installGracefulShutdown(app: INestApplication, options: GracefulShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      options.logger.warn(`${signal} received again: exiting without waiting`, 'Shutdown');
      exit(1);
      return;
    }
    shuttingDown = true;
    options.logger.log(`${signal} received: finishing requests in flight, then closing`, 'Shutdown');
    void options.drain?.begin();
    const server = app.getHttpServer() as Server;
    const cut = setTimeout(() => {
      options.logger.warn(`requests still running after ${options.graceMs} ms: closing their connections`, 'Shutdown');
      server.closeAllConnections();
    }, options.graceMs);
    cut.unref();
    void Promise.all([options.stopOtherServers?.(), app.close()])
      .then(
        () => {
          options.logger.log('closed', 'Shutdown');
          exit(0);
        },
        (error: unknown) => {
          options.logger.error(`closing failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 'Shutdown');
          exit(1);
        },
      )
      .finally(() => clearTimeout(cut));
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  return () => {
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onSignal);
  };
}
