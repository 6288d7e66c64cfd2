import { splitSchema } from './database-url';

/** PostgreSQL's SQLSTATE for a connection to a database that does not exist. */
const INVALID_CATALOG_NAME = '3D000';

/**
 * One line for a start-up failure whose fix is known, instead of a stack: today a DATABASE_URL
 * naming a database that does not exist, answered with the command that creates it.
 */
export function explainStartupFailure(error: unknown, databaseUrl: string | undefined): string | undefined {
  if (databaseUrl === undefined || !hasCode(error, INVALID_CATALOG_NAME)) return undefined;
  const url = new URL(splitSchema(databaseUrl).url);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'postgres';
  const options = [
    url.hostname && `-h ${url.hostname}`,
    url.port && `-p ${url.port}`,
    url.username && `-U ${decodeURIComponent(url.username)}`,
  ].filter((option) => option);
  return `PostgreSQL database "${database}" of DATABASE_URL does not exist on ${url.host}; create it with: createdb ${[...options, shellWord(database)].join(' ')}`;
}

function hasCode(error: unknown, code: string): boolean {
  for (let current: unknown = error, depth = 0; typeof current === 'object' && current !== null && depth < 8; depth += 1) {
    if ((current as { code?: unknown }).code === code) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function shellWord(value: string): string {
  return /^[\w.-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
