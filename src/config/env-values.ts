import { ConfigError } from './config-error';

/** Longest delay Node's timers accept (2^31 - 1 ms); a longer one fires at once, with a warning. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * The value of `name` in `env`, trimmed. Empty and blank values count as unset: deployment
 * tools often write `NAME=` for "no value".
 */
export function readVariable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A decimal integer from `min` to `max` (no sign, exponent or fraction), or a ConfigError naming `name`. */
export function parseInteger(name: string, value: string, min: number, max: number): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(name, `${name} must be an integer ${min}-${max}, got "${value}"`);
  }
  return parsed;
}
