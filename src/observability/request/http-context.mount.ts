import type { Server } from 'node:http';
import { Injectable } from '@nestjs/common';
import { addFrontDoorStep, FrontDoorOrder } from '../../common/http/front-door';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ServiceMetrics } from '../metrics/service-metrics';
import { httpContextMiddleware, type ContextRequest } from './http-context.middleware';

/**
 * Runs {@link httpContextMiddleware} ahead of routing on the HTTP port (see front-door.ts), so
 * requests the router refuses itself (no route, a malformed path) and those refused before
 * their body is read get a request id, metrics and a log line too.
 */
@Injectable()
export class HttpContextMount {
  constructor(adapterHost: HttpAdapterHost, metrics: ServiceMetrics) {
    // A standalone application context (the command line) has no HTTP adapter.
    const adapter = adapterHost.httpAdapter;
    if (!adapter) return;
    addFrontDoorStep(adapter.getHttpServer() as Server, FrontDoorOrder.requestContext, httpContextMiddleware({ metrics }));
    // The route template labels the request's metrics (routeLabel); the router knows it only now.
    adapter.getInstance<FastifyInstance>().addHook('onRequest', (request, _reply, done) => {
      (request.raw as ContextRequest).route = { path: request.routeOptions.url };
      done();
    });
  }
}
