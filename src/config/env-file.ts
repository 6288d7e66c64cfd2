import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config-error';

/** The settings file `npm start` and the command line read, in the directory they run in. */
export const ENV_FILE = '.env';

/**
 * Reads `.env` of the working directory into `process.env` when it exists (Node's own parser,
 * `process.loadEnvFile`); a variable already set in the environment wins over the file. Returns
 * the file's absolute path when one was read.
 */
export function loadEnvFile(path: string = ENV_FILE): string | undefined {
  const file = resolve(path);
  if (!existsSync(file)) return undefined;
  try {
    process.loadEnvFile(file);
  } catch (cause) {
    throw new ConfigError('.env', `${file} cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  return file;
}
