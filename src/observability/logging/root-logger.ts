import pino from 'pino';
import type { AppConfig } from '../../config/app-config';
import { currentRequestContext } from '../request/request-context';
import { prettyLine } from './pretty-line';

export type LogFormat = NonNullable<AppConfig['logFormat']>;

/** LOG_FORMAT when set, else pretty lines on a terminal and JSON lines anywhere else. */
export function resolveLogFormat(configured: AppConfig['logFormat'], stdoutIsTerminal: boolean): LogFormat {
  return configured ?? (stdoutIsTerminal ? 'pretty' : 'json');
}

/**
 * pino's options for the service: LOG_LEVEL, ISO 8601 times, and the id of the request being
 * served (`requestId`, from the request context) on every record written while serving it.
 * Credentials never reach the log.
 */
export function loggerOptions(config: AppConfig): pino.LoggerOptions {
  return {
    level: config.logLevel,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Component logs may carry request objects in their fields.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]'], censor: '[redacted]' },
    mixin: () => {
      const requestId = currentRequestContext()?.requestId;
      return requestId === undefined ? {} : { requestId };
    },
  };
}

let root: pino.Logger | undefined;

/** The logger the last configured application writes to (tests make many applications). */
export function currentRootLogger(): pino.Logger | undefined {
  return root;
}

/** Makes the service's root logger, writing in the format LOG_FORMAT or the terminal asks for. */
export function createRootLogger(config: AppConfig): pino.Logger {
  const format = resolveLogFormat(config.logFormat, process.stdout.isTTY === true);
  root = pino(loggerOptions(config), format === 'pretty' ? prettyOutput(process.stdout.isTTY === true && !process.env.NO_COLOR) : jsonOutput());
  return root;
}

let stdout: pino.DestinationStream | undefined;

/**
 * JSON lines, written to stdout asynchronously: a line logged while the previous write is still
 * under way joins the next write, so under load one write carries many lines. pino flushes what
 * is pending when the process exits, so a graceful shutdown loses nothing; a SIGKILL may lose
 * the last lines. One destination for the process (test runs make many applications).
 */
function jsonOutput(): pino.DestinationStream {
  stdout ??= pino.destination({ dest: 1, sync: false });
  return stdout;
}

/** Each record as a line for people (see prettyLine); terminals are not the hot path. */
function prettyOutput(colours: boolean): pino.DestinationStream {
  return {
    write(line: string): void {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        process.stdout.write(line);
        return;
      }
      process.stdout.write(prettyLine(record, colours));
    },
  };
}
