import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ServiceMetrics } from '../metrics/service-metrics';
import { httpContextMiddleware } from './http-context.middleware';

interface RouterWithStack {
  stack?: unknown[];
}

/**
 * Mounts {@link httpContextMiddleware} ahead of everything else on the HTTP port: the RPC
 * middleware (mounted while modules are created), the body parser and Nest's routes. Nest's
 * own middleware API would run it only after the body parser, so requests refused there
 * (malformed or oversized bodies) would go without request id and metrics.
 */
@Injectable()
export class HttpContextMount {
  constructor(adapterHost: HttpAdapterHost, metrics: ServiceMetrics) {
    // A standalone application context (the command line) has no HTTP adapter.
    const adapter = adapterHost.httpAdapter;
    if (!adapter) return;
    adapter.use(httpContextMiddleware({ metrics }));
    // Express appends middleware to its router's stack; whatever was mounted before this
    // provider was created (module creation order is not guaranteed) is moved behind it.
    const stack = (adapter.getInstance<{ router?: RouterWithStack }>().router ?? {}).stack;
    if (Array.isArray(stack) && stack.length > 1) stack.unshift(stack.pop());
  }
}
