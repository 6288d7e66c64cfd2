import type pino from 'pino';
import { callerOf } from '../../auth/decorators';
import { grpcCodeName, isServerFaultCode } from '../request/grpc-codes';
import type { RpcOutcome } from '../request/request-context';
import { currentRootLogger } from './root-logger';

/** What a request record reads of a request: HTTP/1.1 (the main port) and HTTP/2 (h2c) requests both have it. */
export interface LoggedRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  readableAborted?: boolean;
  headers: Record<string, string | string[] | undefined>;
}

/** What a request record reads of a response. */
export interface LoggedResponse {
  statusCode: number;
  writableEnded: boolean;
}

/** Probes and scrapes run every few seconds: logging each would drown the useful lines. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** True for the paths whose requests are not logged. */
export function isQuietPath(url: string | undefined): boolean {
  const path = url ?? '';
  const query = path.indexOf('?');
  return QUIET_PATHS.has(query < 0 ? path : path.slice(0, query));
}

/**
 * 5xx error, anything else info: a 4xx is the client's mistake, answered as designed, and must
 * not page an operator (its error id is in the record, see {@link logRequest}).
 */
export function requestLogLevel(status: number): 'error' | 'info' {
  return status >= 500 ? 'error' : 'info';
}

/**
 * Writes the one record of a request, when it was answered (`request completed`) or abandoned
 * by the client before its answer was written (`request aborted`): request id, method and URL,
 * status, the error id of an error answer, duration in ms and the caller (`sub`, instance) the
 * guard verified; for an RPC (gRPC, gRPC-web, Connect) also `rpc`: its full method name, gRPC
 * status code name and protocol, and the level follows the code (a server fault: error).
 * Nothing else of the request is serialised, so no header (credentials included) reaches the log.
 *
 * Written here rather than by pino-http, whose middleware made three child loggers and
 * serialised every request's headers up front, and ran every request in an AsyncLocalStorage
 * of its own: together more than a quarter of the CPU of a write. Log records written while
 * the request is served get its id from the request context instead (see root-logger.ts).
 */
export function logRequest(request: LoggedRequest, response: LoggedResponse, context: { requestId?: string; errorId?: string; rpc?: RpcOutcome }, durationMs: number): void {
  const logger = requestLogger();
  const { rpc } = context;
  const level = rpc ? (isServerFaultCode(rpc.code) ? 'error' : 'info') : requestLogLevel(response.statusCode);
  if (!logger?.isLevelEnabled(level)) return;
  const caller = rpc?.caller ?? callerOf(request);
  const record = {
    requestId: context.requestId,
    req: { method: request.method, url: request.originalUrl ?? request.url },
    res: { statusCode: response.statusCode },
    ...(rpc && { rpc: { method: rpc.procedure, code: grpcCodeName(rpc.code), protocol: rpcProtocol(request.headers['content-type']) } }),
    ...(context.errorId !== undefined && { errorId: context.errorId }),
    responseTime: Math.round(durationMs),
    ...(caller && { caller: { sub: caller.subject, instance: caller.instanceId } }),
  };
  logger[level](record, request.readableAborted || !response.writableEnded ? 'request aborted' : 'request completed');
}

/** `grpc`, `grpc-web` or `connect`, by the request's content type. */
function rpcProtocol(contentType: string | string[] | undefined): string {
  const type = String(contentType ?? '');
  if (type.startsWith('application/grpc-web')) return 'grpc-web';
  return type.startsWith('application/grpc') ? 'grpc' : 'connect';
}

type Logger = pino.Logger;

let root: Logger | undefined;
let forRequests: Logger | undefined;

/**
 * The root logger (the observability module makes it when the application is built, before any request)
 * with the `req` and `res` fields taken as they are: its own serialisers expect Node's request
 * and response objects and would rebuild them, headers and all, and its redaction would copy
 * every record to look for headers that are not there.
 */
function requestLogger(): Logger | undefined {
  const current: Logger | undefined = currentRootLogger();
  if (current !== root) {
    root = current;
    // No redaction either: these records hold nothing to redact.
    forRequests = current?.child({}, { serializers: { req: asIs, res: asIs }, redact: [] });
  }
  return forRequests;
}

const asIs = (value: unknown): unknown => value;
