import type { LoggerService } from '@nestjs/common';
import type pino from 'pino';

/**
 * Nest's start-up chatter (one line per module, controller and route, ~40 in all) at debug, so
 * that the lines an operator needs (where it listens, how to get a token) stay on screen.
 */
const FRAMEWORK_BOOTSTRAP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's logger on pino: `logger.log(message, context)`, `logger.log(fields, message, context)`
 * and `logger.error(message, stack, context)` become one record with `context`, the fields, and
 * the stack when there is one.
 */
export class ServiceLogger implements LoggerService {
  private readonly ignoredContexts: ReadonlySet<string>;

  /** `ignoredContexts`: components whose records are dropped (their news is reported elsewhere). */
  constructor(
    readonly pino: pino.Logger,
    options: { ignoredContexts?: readonly string[] } = {},
  ) {
    this.ignoredContexts = new Set(options.ignoredContexts);
  }

  log(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    this.write(context !== undefined && FRAMEWORK_BOOTSTRAP_CONTEXTS.has(context) ? 'debug' : 'info', message, params, context);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, contextOf(params));
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params, contextOf(params));
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params, contextOf(params));
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params, contextOf(params));
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params, contextOf(params));
  }

  private write(level: Level, message: unknown, params: unknown[], context: string | undefined): void {
    if (!this.pino.isLevelEnabled(level) || (context !== undefined && this.ignoredContexts.has(context))) return;
    // What is left once the context is taken: a message (after fields) or a stack (after a message).
    const rest = (context === undefined ? params : params.slice(0, -1)).filter((param) => param !== undefined);
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    let text: string | undefined;
    if (message instanceof Error) {
      fields.err = message;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(fields, message);
    } else {
      text = String(message);
    }
    for (const param of rest) {
      if (typeof param === 'string' && text === undefined) text = param;
      else if (typeof param === 'string' && level === 'error' && param.includes('\n')) fields.stack = param;
      else if (param instanceof Error) fields.err = param;
    }
    this.pino[level](fields, text);
  }
}

/** Nest's Logger passes its context as the last parameter. */
function contextOf(params: unknown[]): string | undefined {
  const last = params[params.length - 1];
  return params.length > 0 && typeof last === 'string' && !last.includes('\n') ? last : undefined;
}
