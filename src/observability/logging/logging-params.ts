import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { callerOf } from '../../auth/decorators';
import type { AppConfig } from '../../config/app-config';
import { REQUEST_ID_HEADER, requestIdFrom } from '../request/request-id';

/** Probes and scrapes run every few seconds: logging each would drown the useful lines. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

const pathOf = (request: IncomingMessage): string => (request.url ?? '').split('?')[0];

/**
 * One JSON line per log record on stdout (pino), at LOG_LEVEL. Each request is logged once when
 * answered, with its request id (`requestId`), route, status, duration and caller (`sub` and
 * instance); logs written while serving it carry the request id too. Credentials never reach
 * the log.
 */
export function loggingParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: (request: IncomingMessage & { id?: unknown }) =>
        typeof request.id === 'string' ? request.id : requestIdFrom(request.headers[REQUEST_ID_HEADER]),
      customAttributeKeys: { reqId: 'requestId' },
      quietReqLogger: true,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]'], censor: '[redacted]' },
      autoLogging: { ignore: (request: IncomingMessage) => QUIET_PATHS.has(pathOf(request)) },
      customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) => {
        if (error || response.statusCode >= 500) return 'error';
        return response.statusCode >= 400 ? 'warn' : 'info';
      },
      customProps: (request: IncomingMessage) => {
        const caller = callerOf(request);
        return caller ? { caller: { sub: caller.subject, instance: caller.instanceId } } : {};
      },
    },
  };
}
