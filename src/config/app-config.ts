/** The service's validated configuration (see README, "Configuration"). */
export type EventStoreKind = 'sqlite' | 'postgres' | 'eventstoredb';

export interface AuthConfig {
  /** OIDC provider JWKS URL; keys cached, refetched on an unknown `kid`. */
  jwksUrl?: string;
  /** Path of a JWKS JSON file. */
  jwksFile?: string;
  issuer?: string;
  audience?: string;
  /** Optional JSON file mapping role names to permission lists; replaces the built-in map. */
  roleMapFile?: string;
  /**
   * True when no AUTH_* key source is configured: the service generates a key pair in
   * `dataDir` on first start and trusts it (embedded quick start).
   */
  embeddedKeys: boolean;
}

/** The console's sign-in at the OIDC provider: authorization code with PKCE, a public client. */
export interface ConsoleOidcConfig {
  /** AUTH_ISSUER: the console reads the provider's endpoints from its discovery document. */
  issuer: string;
  /** CONSOLE_OIDC_CLIENT_ID: the provider's public client (no secret) registered for the console. */
  clientId: string;
  /** CONSOLE_OIDC_SCOPE, space-separated, always with `openid`. */
  scope: string;
}

export interface AppConfig {
  port: number;
  grpcPort: number;
  /** Port of `/metrics`, `/readyz` and `/healthz` (MANAGEMENT_PORT); no management server when absent. */
  managementPort?: number;
  dataDir: string;
  eventStore: EventStoreKind;
  /** PostgreSQL connection string (events with EVENT_STORE=postgres, and the read model when set). */
  databaseUrl?: string;
  /** EventStoreDB connection string (esdb:// or esdb+discover://) for EVENT_STORE=eventstoredb. */
  eventStoreConnectionString?: string;
  /** EventStoreDB: limit for calls until a new connection has answered once (adapter default 5 s). */
  eventStoreConnectTimeoutMs?: number;
  /** EventStoreDB: limit for every other call (adapter default 10 s). */
  eventStoreCallTimeoutMs?: number;
  auth: AuthConfig;
  /** Set with CONSOLE_OIDC_CLIENT_ID: the console offers sign-in at the provider next to a pasted token. */
  consoleOidc?: ConsoleOidcConfig;
  /** File holding the AES-256 key that seals secrets (target signing keys) in events; generated into dataDir when unset. */
  encryptionKeyFile?: string;
  /** CIDRs targets may reach although they are loopback, private, link-local, CGNAT or metadata addresses. */
  targetAllowedNetworks?: readonly string[];
  /** Catalogue file replacing the built-in one. */
  catalogFile?: string;
  /** Entries an execution's target list may hold (default 100, src/executions/domain/target-list-rules.ts). */
  maxTargetsPerExecution?: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** LOG_FORMAT; unset: pretty lines when stdout is a terminal, JSON lines otherwise. */
  logFormat?: 'pretty' | 'json';
}

/** Nest injection token for {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');
