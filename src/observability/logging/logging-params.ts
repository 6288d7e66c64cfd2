import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { AppConfig } from '../../config/app-config';
import { currentRequestContext } from '../request/request-context';

/**
 * One JSON line per log record on stdout (pino), at LOG_LEVEL. Each request is logged once when
 * answered, by the HTTP context middleware (see request-log.ts); records written while serving
 * it carry its request id (`requestId`), taken from the request context. Credentials never
 * reach the log.
 *
 * nestjs-pino stays the Nest logger (format, `context`, levels), but its per-request pino-http
 * middleware is not mounted (`forRoutes: []`).
 *
 * Lines go to stdout asynchronously: a line logged while the previous write is still under way
 * joins the next write, so under load one write carries many lines instead of a blocking write
 * per line. Whatever is pending is written synchronously when the process exits (pino flushes
 * its asynchronous destinations on exit), so a graceful shutdown loses nothing; a SIGKILL may
 * lose the last lines.
 */
export function loggingParams(config: AppConfig): Params {
  return {
    forRoutes: [],
    pinoHttp: [
      {
        level: config.logLevel,
        // Component logs may carry request objects in their fields.
        redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]'], censor: '[redacted]' },
        mixin: () => {
          const requestId = currentRequestContext()?.requestId;
          return requestId === undefined ? {} : { requestId };
        },
      },
      standardOutput(),
    ],
  };
}

let stdout: pino.DestinationStream | undefined;

/** One asynchronous destination for the process (test runs make many applications). */
function standardOutput(): pino.DestinationStream {
  stdout ??= pino.destination({ dest: 1, sync: false });
  return stdout;
}
