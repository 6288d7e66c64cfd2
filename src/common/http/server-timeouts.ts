import type { Server } from 'node:http';
import type { OperationsOptions } from '../../config/operations-options';

/** How often Node checks connections against the timeouts; its default of 30 s would let a slow body run that much over. */
const CHECK_INTERVAL_CAP_MS = 1_000;

/**
 * Bounds how long a client may hold a connection without finishing its request: a request's
 * headers within `httpHeadersTimeoutMs`, the whole request (headers and body) within
 * `httpRequestTimeoutMs` (answered 408 and closed otherwise), an idle keep-alive connection
 * closed after `httpKeepAliveTimeoutMs`. A response that streams for long (the event stream) is
 * not cut: the limits apply to what the client sends. Call before the server listens.
 */
export function applyServerTimeouts(server: Server, options: Pick<OperationsOptions, 'httpHeadersTimeoutMs' | 'httpRequestTimeoutMs' | 'httpKeepAliveTimeoutMs'>): void {
  server.headersTimeout = options.httpHeadersTimeoutMs;
  server.requestTimeout = options.httpRequestTimeoutMs;
  server.keepAliveTimeout = options.httpKeepAliveTimeoutMs;
  // Read by Node when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(
    CHECK_INTERVAL_CAP_MS,
    Math.max(100, Math.floor(options.httpHeadersTimeoutMs / 4)),
  );
}
