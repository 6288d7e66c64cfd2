import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { notFound, toStatusBody } from '../common/errors/api-error';
import { HttpErrorId } from '../common/errors/http-error-ids';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { addFrontDoorStep, FrontDoorOrder, handleAsServer } from '../common/http/front-door';

/** Served on the management port only: they tell an outsider about the database and the load. */
export const MANAGEMENT_ONLY_PATHS: readonly string[] = ['/metrics', '/readyz'];
/** Everything the management port serves; liveness stays on the public port too, for probes. */
export const MANAGEMENT_PATHS: readonly string[] = [...MANAGEMENT_ONLY_PATHS, '/healthz'];

/** Requests that came in on the management port. */
const managementRequests = new WeakSet<IncomingMessage>();

function pathOf(request: IncomingMessage): string {
  return (request.url ?? '/').split('?', 1)[0];
}

function answerNoSuchRoute(response: ServerResponse): void {
  response.statusCode = 404;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(toStatusBody(notFound(HttpErrorId.routeNotFound, 'No such route'))));
}

/**
 * The management port (MANAGEMENT_PORT): `/metrics`, `/readyz` and `/healthz`, without a token,
 * for the operator's network only. It hands its requests to the same application as the
 * public port (same handlers, logs and headers); the public port answers the management-only
 * paths 404, the management port every other path. Not started without a port (tests that do
 * not need it, command-line tools).
 */
@Injectable()
export class ManagementServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Management');
  private server: Server | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    // Ahead of routing (see front-door.ts), so it runs before every route.
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    addFrontDoorStep(adapter.getHttpServer() as Server, FrontDoorOrder.managementPaths, (request, response, next) => {
      if (!managementRequests.has(request) && MANAGEMENT_ONLY_PATHS.includes(pathOf(request))) answerNoSuchRoute(response);
      else next();
    });
  }

  /** The port it listens on (resolves MANAGEMENT_PORT=0), once started. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter || this.config.managementPort === undefined) return;
    const publicServer = adapter.getHttpServer() as Server;
    const server = createServer((request, response) => {
      if (!MANAGEMENT_PATHS.includes(pathOf(request))) return answerNoSuchRoute(response);
      managementRequests.add(request);
      handleAsServer(publicServer, request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.managementPort, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`/metrics, /readyz and /healthz listening on port ${this.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
