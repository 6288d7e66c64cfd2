import { accessSync, constants, mkdirSync, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import type { AppConfig, AuthConfig, ConsoleOidcConfig, EventStoreKind } from './app-config';
import { parseCidr } from '../common/network/network-policy';
import { ConfigError } from './config-error';
import { MAX_TIMER_MS, parseInteger, readVariable } from './env-values';

const EVENT_STORE_KINDS: readonly EventStoreKind[] = ['sqlite', 'postgres', 'eventstoredb'];
const LOG_LEVELS: readonly AppConfig['logLevel'][] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const LOG_FORMATS: readonly NonNullable<AppConfig['logFormat']>[] = ['pretty', 'json'];

/**
 * Reads and validates the service configuration from environment variables.
 *
 * An empty variable counts as unset (deployment tools often write `NAME=` for "no value").
 * Paths are resolved against the current directory so later `chdir`s cannot change their meaning.
 * `DATA_DIR` is created when missing. Throws {@link ConfigError} naming the first bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const read = (name: string): string | undefined => readVariable(env, name);

  const port = parsePort('PORT', read('PORT'), 8080);
  const grpcPort = parsePort('GRPC_PORT', read('GRPC_PORT'), 8081);
  if (port === grpcPort) {
    throw new ConfigError('GRPC_PORT', `GRPC_PORT must differ from PORT, both are ${port}`);
  }
  const managementPort = parsePort('MANAGEMENT_PORT', read('MANAGEMENT_PORT'), 9090);
  if (managementPort === port || managementPort === grpcPort) {
    throw new ConfigError('MANAGEMENT_PORT', `MANAGEMENT_PORT must differ from PORT and GRPC_PORT, got ${managementPort}`);
  }

  const dataDir = ensureDirectory('DATA_DIR', resolve(read('DATA_DIR') ?? './data'));
  const eventStore = parseOneOf('EVENT_STORE', read('EVENT_STORE'), EVENT_STORE_KINDS, 'sqlite');

  const databaseUrl = optional(read('DATABASE_URL'), (value) => parsePostgresUrl('DATABASE_URL', value));
  if (eventStore === 'postgres' && databaseUrl === undefined) {
    throw new ConfigError('DATABASE_URL', 'DATABASE_URL is required when EVENT_STORE=postgres (postgres://user@host:5432/database)');
  }

  const eventStoreConnectionString = optional(read('EVENTSTORE_CONNECTION_STRING'), (value) =>
    parseEventStoreDbConnectionString('EVENTSTORE_CONNECTION_STRING', value),
  );
  if (eventStore === 'eventstoredb' && eventStoreConnectionString === undefined) {
    throw new ConfigError(
      'EVENTSTORE_CONNECTION_STRING',
      'EVENTSTORE_CONNECTION_STRING is required when EVENT_STORE=eventstoredb (esdb://host:2113?tls=false or esdb+discover://...)',
    );
  }

  const auth = parseAuth(read);
  const timeout = (name: string): number | undefined => optional(read(name), (value) => parseInteger(name, value, 1, MAX_TIMER_MS));

  return {
    port,
    grpcPort,
    managementPort,
    dataDir,
    eventStore,
    ...(databaseUrl !== undefined && { databaseUrl }),
    ...(eventStoreConnectionString !== undefined && { eventStoreConnectionString }),
    ...optionalEntry('eventStoreConnectTimeoutMs', timeout('EVENTSTORE_CONNECT_TIMEOUT_MS')),
    ...optionalEntry('eventStoreCallTimeoutMs', timeout('EVENTSTORE_CALL_TIMEOUT_MS')),
    auth,
    ...optionalEntry('consoleOidc', parseConsoleOidc(read, auth)),
    ...optionalEntry('encryptionKeyFile', optional(read('ENCRYPTION_KEY_FILE'), (value) => existingFile('ENCRYPTION_KEY_FILE', value))),
    ...optionalEntry('targetAllowedNetworks', optional(read('TARGET_ALLOWED_NETWORKS'), (value) => parseNetworks('TARGET_ALLOWED_NETWORKS', value))),
    ...optionalEntry('catalogFile', optional(read('CATALOG_FILE'), (value) => existingFile('CATALOG_FILE', value))),
    ...optionalEntry('maxTargetsPerExecution', optional(read('MAX_TARGETS_PER_EXECUTION'), (value) => parseInteger('MAX_TARGETS_PER_EXECUTION', value, 1, 10_000))),
    logLevel: parseOneOf('LOG_LEVEL', read('LOG_LEVEL'), LOG_LEVELS, 'info'),
    ...optionalEntry('logFormat', optional(read('LOG_FORMAT'), (value) => parseOneOf('LOG_FORMAT', value, LOG_FORMATS, 'json'))),
  };
}

function parseAuth(read: (name: string) => string | undefined): AuthConfig {
  const jwksUrl = optional(read('AUTH_JWKS_URL'), (value) => parseHttpUrl('AUTH_JWKS_URL', value));
  const jwksFile = optional(read('AUTH_JWKS_FILE'), (value) => existingFile('AUTH_JWKS_FILE', value));
  if (jwksUrl !== undefined && jwksFile !== undefined) {
    throw new ConfigError('AUTH_JWKS_FILE', 'AUTH_JWKS_URL and AUTH_JWKS_FILE are mutually exclusive: set only one key source');
  }
  const embeddedKeys = jwksUrl === undefined && jwksFile === undefined;
  const issuer = read('AUTH_ISSUER');
  const audience = read('AUTH_AUDIENCE');
  // The embedded key pair signs with its own fixed issuer and audience; accepting other values
  // here would make every token the CLI prints fail verification.
  for (const [name, value] of [['AUTH_ISSUER', issuer], ['AUTH_AUDIENCE', audience]] as const) {
    if (embeddedKeys && value !== undefined) {
      throw new ConfigError(name, `${name} needs AUTH_JWKS_URL or AUTH_JWKS_FILE; without them the service uses its embedded key pair, which has its own issuer and audience`);
    }
  }
  return {
    ...optionalEntry('jwksUrl', jwksUrl),
    ...optionalEntry('jwksFile', jwksFile),
    ...optionalEntry('issuer', issuer),
    ...optionalEntry('audience', audience),
    ...optionalEntry('roleMapFile', optional(read('AUTH_ROLE_MAP_FILE'), (value) => existingFile('AUTH_ROLE_MAP_FILE', value))),
    embeddedKeys,
  };
}

/**
 * The console signs in at the provider whose tokens the service trusts: AUTH_ISSUER, found
 * through its discovery document, so it must be a URL; the embedded key pair has no provider.
 */
function parseConsoleOidc(read: (name: string) => string | undefined, auth: AuthConfig): ConsoleOidcConfig | undefined {
  const clientId = read('CONSOLE_OIDC_CLIENT_ID');
  const scope = read('CONSOLE_OIDC_SCOPE');
  if (clientId === undefined) {
    if (scope !== undefined) throw new ConfigError('CONSOLE_OIDC_SCOPE', 'CONSOLE_OIDC_SCOPE needs CONSOLE_OIDC_CLIENT_ID: it is the scope the console asks the OIDC provider for');
    return undefined;
  }
  if (auth.embeddedKeys || auth.issuer === undefined) {
    throw new ConfigError(
      'CONSOLE_OIDC_CLIENT_ID',
      'CONSOLE_OIDC_CLIENT_ID needs AUTH_ISSUER and AUTH_JWKS_URL or AUTH_JWKS_FILE: the console signs in at the OIDC provider whose tokens the service trusts (with the embedded key pair, paste a token instead)',
    );
  }
  if (!isHttpUrl(auth.issuer)) {
    throw new ConfigError(
      'AUTH_ISSUER',
      `AUTH_ISSUER must be an http:// or https:// URL when CONSOLE_OIDC_CLIENT_ID is set (the console reads <issuer>/.well-known/openid-configuration), got "${auth.issuer}"`,
    );
  }
  const scopes = (scope ?? 'openid').split(/\s+/).filter((entry) => entry !== '');
  if (!scopes.includes('openid')) throw new ConfigError('CONSOLE_OIDC_SCOPE', `CONSOLE_OIDC_SCOPE must include openid (space-separated), got "${scope}"`);
  return { issuer: auth.issuer, clientId, scope: scopes.join(' ') };
}

function optional<T>(value: string | undefined, parse: (value: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}

/** Keeps absent optional fields absent instead of present-and-undefined. */
function optionalEntry<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function parsePort(name: string, value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : parseInteger(name, value, 1, 65535);
}

function parseOneOf<T extends string>(name: string, value: string | undefined, accepted: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const match = accepted.find((candidate) => candidate === value.toLowerCase());
  if (match === undefined) {
    throw new ConfigError(name, `${name} must be one of ${accepted.join(', ')}, got "${value}"`);
  }
  return match;
}

function parseUrl(name: string, value: string, expected: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new ConfigError(name, `${name} must be ${expected}, got "${redact(value)}"`);
  }
}

function parsePostgresUrl(name: string, value: string): string {
  const expected = 'a postgres:// or postgresql:// URL with a host (postgres://user:password@host:5432/database)';
  const url = parseUrl(name, value, expected);
  if ((url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || url.hostname === '') {
    throw new ConfigError(name, `${name} must be ${expected}, got "${redact(value)}"`);
  }
  return value;
}

function parseEventStoreDbConnectionString(name: string, value: string): string {
  const expected = 'an esdb:// or esdb+discover:// connection string with a host (esdb://localhost:2113?tls=false)';
  if (!/^(esdb|esdb\+discover):\/\/(?:[^@/]*@)?[^/?,:@]+/i.test(value)) {
    throw new ConfigError(name, `${name} must be ${expected}, got "${redact(value)}"`);
  }
  return value;
}

function isHttpUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

function parseHttpUrl(name: string, value: string): string {
  if (!isHttpUrl(value)) throw new ConfigError(name, `${name} must be an http:// or https:// URL (https://issuer.example.com/oauth/v2/keys), got "${value}"`);
  return new URL(value).href;
}

function parseNetworks(name: string, value: string): string[] {
  const networks = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const bad = networks.find((entry) => parseCidr(entry) === undefined);
  if (bad !== undefined) throw new ConfigError(name, `${name} must be a comma-separated list of CIDRs (127.0.0.0/8,::1/128), "${bad}" is not one`);
  return networks;
}

function existingFile(name: string, value: string): string {
  const path = resolve(value);
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (cause) {
    throw new ConfigError(name, `${name} must name a readable file, but "${path}" does not exist or cannot be read`, { cause });
  }
  if (!isFile) throw new ConfigError(name, `${name} must name a file, but "${path}" is not a regular file`);
  return path;
}

function ensureDirectory(name: string, path: string): string {
  const existing = statOrUndefined(path);
  if (existing !== undefined && !existing.isDirectory()) {
    throw new ConfigError(name, `${name} must be a directory, but "${path}" is a file`);
  }
  try {
    // Readable by the service's user only: it holds the databases and the embedded signing key.
    if (existing === undefined) mkdirSync(path, { recursive: true, mode: 0o700 });
    accessSync(path, constants.W_OK);
  } catch (cause) {
    throw new ConfigError(name, `${name} must be a directory the service can create and write, "${path}" failed: ${describe(cause)}`, { cause });
  }
  return path;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Connection strings may carry a password; error messages must not print it. */
function redact(value: string): string {
  return value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

// Duck-typed: errors thrown by Node built-ins may come from another realm (test sandboxes).
function describe(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
}
