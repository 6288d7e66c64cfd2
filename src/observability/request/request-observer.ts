import type { EventEmitter } from 'node:events';
import { isQuietPath, logRequest, type LoggedRequest, type LoggedResponse } from '../logging/request-log';
import type { ServiceMetrics } from '../metrics/service-metrics';
import { grpcCodeName } from './grpc-codes';
import type { RequestContext } from './request-context';

/** The labels of a request whose RPC is not known (not an RPC, or refused before reaching one). */
export interface FallbackLabels {
  route(): string;
  status(): string;
}

/**
 * Counts a request in the HTTP metrics when its response finishes and writes its one log
 * record then (or when the client goes away first), on either port. An RPC noted in `context`
 * (see noteRpcOutcome) is labelled by its full method name and gRPC code name, like
 * `route="/zitadel.action.v3alpha.ActionService/CreateTarget", status="NOT_FOUND"`.
 */
export function observeRequest(
  metrics: ServiceMetrics,
  request: LoggedRequest,
  response: LoggedResponse & EventEmitter,
  context: RequestContext,
  fallback: FallbackLabels,
): void {
  const started = performance.now();
  let logged = isQuietPath(request.url);
  const log = (): void => {
    if (logged) return;
    logged = true;
    logRequest(request, response, context, performance.now() - started);
  };
  response.once('finish', () => {
    const { rpc } = context;
    const labels = { method: request.method ?? 'UNKNOWN', route: rpc?.procedure ?? fallback.route(), status: rpc ? grpcCodeName(rpc.code) : fallback.status() };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    log();
  });
  // A client that goes away before its answer is written: no 'finish', logged as aborted.
  response.once('close', log);
}
