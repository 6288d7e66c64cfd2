import { Logger } from '@nestjs/common';
import type { ProjectionLogger } from '@app/eventsourcing';

/**
 * The libraries' logger interface on Nest's logger (pino in the service): fields stay
 * structured in the JSON line, tagged with `context`.
 */
export function componentLogger(context: string): ProjectionLogger {
  const logger = new Logger(context);
  return {
    info: (message, fields) => (fields ? logger.log(fields, message) : logger.log(message)),
    warn: (message, fields) => (fields ? logger.warn(fields, message) : logger.warn(message)),
    error: (message, fields) => (fields ? logger.error(fields, message) : logger.error(message)),
  };
}
