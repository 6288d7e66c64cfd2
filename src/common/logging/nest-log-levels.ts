import type { LogLevel } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';

const ORDER: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const NEST_LEVEL: Record<AppConfig['logLevel'], LogLevel | undefined> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'log',
  debug: 'debug',
  trace: 'verbose',
  silent: undefined,
};

/** Nest's logger levels enabled by LOG_LEVEL (that level and everything more severe). */
export function nestLogLevels(level: AppConfig['logLevel']): LogLevel[] {
  const threshold = NEST_LEVEL[level];
  return threshold === undefined ? [] : ORDER.slice(0, ORDER.indexOf(threshold) + 1);
}
