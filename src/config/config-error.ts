/**
 * A configuration value is missing or unacceptable. The message names the variable and says
 * what is accepted, so an operator can fix the environment without reading the source.
 */
export class ConfigError extends Error {
  constructor(
    /** The environment variable at fault, e.g. `PORT`. */
    readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConfigError';
  }
}
