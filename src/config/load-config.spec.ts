import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

describe('loadConfig', () => {
  let scratch: string;
  let dataDir: string;
  let jwksFile: string;

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'load-config-'));
    dataDir = join(scratch, 'data');
    jwksFile = join(scratch, 'jwks.json');
    writeFileSync(jwksFile, '{"keys":[]}');
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  const load = (env: NodeJS.ProcessEnv) => loadConfig({ DATA_DIR: dataDir, ...env });

  function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
    try {
      load(env);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
  }

  it('applies the documented defaults', () => {
    const config = load({});
    expect(config).toEqual({
      port: 8080,
      grpcPort: 8081,
      managementPort: 9090,
      dataDir,
      eventStore: 'sqlite',
      auth: { embeddedKeys: true },
      logLevel: 'info',
    });
  });

  it('defaults DATA_DIR to ./data under the current directory and creates it', () => {
    const previous = process.cwd();
    process.chdir(scratch);
    try {
      const config = loadConfig({});
      expect(config.dataDir).toBe(join(process.cwd(), 'data'));
      expect(statSync(config.dataDir).isDirectory()).toBe(true);
    } finally {
      process.chdir(previous);
    }
  });

  it('creates a nested DATA_DIR that does not exist yet and makes it absolute', () => {
    const nested = join(scratch, 'a', 'b', 'c');
    const previous = process.cwd();
    process.chdir(scratch);
    try {
      expect(loadConfig({ DATA_DIR: 'a/b/c' }).dataDir).toBe(nested);
    } finally {
      process.chdir(previous);
    }
    expect(statSync(nested).isDirectory()).toBe(true);
  });

  it('refuses a DATA_DIR that is a file', () => {
    const error = configErrorOf({ DATA_DIR: jwksFile });
    expect(error.variable).toBe('DATA_DIR');
    expect(error.message).toContain('is a file');
  });

  it('refuses a DATA_DIR it cannot create', () => {
    const error = configErrorOf({ DATA_DIR: join(jwksFile, 'data') });
    expect(error.variable).toBe('DATA_DIR');
    expect(error.message).toContain('must be a directory the service can create and write');
  });

  it('treats empty and blank variables as unset', () => {
    expect(load({ PORT: '', GRPC_PORT: '  ', EVENT_STORE: '', LOG_LEVEL: '' })).toMatchObject({
      port: 8080,
      grpcPort: 8081,
      eventStore: 'sqlite',
      logLevel: 'info',
    });
  });

  it('reads ports, trimming surrounding blanks', () => {
    expect(load({ PORT: ' 3000 ', GRPC_PORT: '65535' })).toMatchObject({ port: 3000, grpcPort: 65535 });
  });

  it.each(['abc', '0', '65536', '80.5', '-1', '1e3', '0x50', '8080abc'])('refuses PORT=%p with the accepted range', (value) => {
    const error = configErrorOf({ PORT: value });
    expect(error.variable).toBe('PORT');
    expect(error.message).toBe(`PORT must be an integer 1-65535, got "${value}"`);
  });

  it('refuses a bad GRPC_PORT naming GRPC_PORT', () => {
    expect(configErrorOf({ GRPC_PORT: '99999' }).message).toBe('GRPC_PORT must be an integer 1-65535, got "99999"');
  });

  it('refuses the same port for HTTP and gRPC', () => {
    const error = configErrorOf({ PORT: '9000', GRPC_PORT: '9000' });
    expect(error.variable).toBe('GRPC_PORT');
    expect(error.message).toContain('must differ from PORT');
  });

  it('reads MANAGEMENT_PORT and refuses one shared with PORT or GRPC_PORT', () => {
    expect(load({ MANAGEMENT_PORT: '9100' })).toMatchObject({ managementPort: 9100 });
    for (const env of [{ MANAGEMENT_PORT: '8080' }, { MANAGEMENT_PORT: '8081' }, { PORT: '9090' }]) {
      const error = configErrorOf(env);
      expect(error.variable).toBe('MANAGEMENT_PORT');
      expect(error.message).toContain('must differ from PORT and GRPC_PORT');
    }
  });

  it('refuses an unknown EVENT_STORE listing the accepted ones', () => {
    const error = configErrorOf({ EVENT_STORE: 'mysql' });
    expect(error.variable).toBe('EVENT_STORE');
    expect(error.message).toBe('EVENT_STORE must be one of sqlite, postgres, eventstoredb, got "mysql"');
  });

  it('accepts postgres with a DATABASE_URL, whatever the case of EVENT_STORE', () => {
    const url = 'postgresql://postgres@127.0.0.1:5432/test';
    expect(load({ EVENT_STORE: 'Postgres', DATABASE_URL: url })).toMatchObject({ eventStore: 'postgres', databaseUrl: url });
  });

  it('requires DATABASE_URL for the postgres event store', () => {
    const error = configErrorOf({ EVENT_STORE: 'postgres' });
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).toContain('required when EVENT_STORE=postgres');
  });

  it('keeps a DATABASE_URL given with another event store (read model)', () => {
    expect(load({ DATABASE_URL: 'postgres://u@db/x' }).databaseUrl).toBe('postgres://u@db/x');
  });

  it.each(['mysql://u:p@host/db', 'not a url', 'postgres:///no-host', 'http://host/db'])(
    'refuses DATABASE_URL=%p',
    (value) => {
      const error = configErrorOf({ EVENT_STORE: 'postgres', DATABASE_URL: value });
      expect(error.variable).toBe('DATABASE_URL');
      expect(error.message).toContain('postgres://');
    },
  );

  it('does not print the database password in the error', () => {
    const error = configErrorOf({ DATABASE_URL: 'mysql://admin:s3cret@host/db' });
    expect(error.message).not.toContain('s3cret');
    expect(error.message).toContain('mysql://admin:***@host/db');
  });

  it.each(['esdb://localhost:2113?tls=false', 'esdb+discover://admin:changeit@cluster.local:2113', 'esdb://node1:2113,node2:2113'])(
    'accepts EVENTSTORE_CONNECTION_STRING=%p for eventstoredb',
    (value) => {
      expect(load({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: value })).toMatchObject({
        eventStore: 'eventstoredb',
        eventStoreConnectionString: value,
      });
    },
  );

  it('requires EVENTSTORE_CONNECTION_STRING for the eventstoredb event store', () => {
    expect(configErrorOf({ EVENT_STORE: 'eventstoredb' }).variable).toBe('EVENTSTORE_CONNECTION_STRING');
  });

  it.each(['http://localhost:2113', 'esdb://', 'localhost:2113', 'tcp://admin:changeit@localhost:1113'])(
    'refuses EVENTSTORE_CONNECTION_STRING=%p',
    (value) => {
      const error = configErrorOf({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: value });
      expect(error.variable).toBe('EVENTSTORE_CONNECTION_STRING');
      expect(error.message).toContain('esdb:// or esdb+discover://');
      expect(error.message).not.toContain('changeit');
    },
  );

  it('reads MAX_TARGETS_PER_EXECUTION, refusing zero and values beyond 10,000', () => {
    expect(load({}).maxTargetsPerExecution).toBeUndefined();
    expect(load({ MAX_TARGETS_PER_EXECUTION: '250' }).maxTargetsPerExecution).toBe(250);
    for (const value of ['0', '10001', 'many']) {
      expect(configErrorOf({ MAX_TARGETS_PER_EXECUTION: value }).message).toBe(`MAX_TARGETS_PER_EXECUTION must be an integer 1-10000, got "${value}"`);
    }
  });

  it('reads the EventStoreDB time limits, refusing values a timer cannot take', () => {
    expect(load({ EVENTSTORE_CONNECT_TIMEOUT_MS: '1500', EVENTSTORE_CALL_TIMEOUT_MS: ' 20000 ' })).toMatchObject({
      eventStoreConnectTimeoutMs: 1500,
      eventStoreCallTimeoutMs: 20000,
    });
    for (const name of ['EVENTSTORE_CONNECT_TIMEOUT_MS', 'EVENTSTORE_CALL_TIMEOUT_MS']) {
      for (const value of ['0', '5s', '2147483648']) {
        const error = configErrorOf({ [name]: value });
        expect(error.variable).toBe(name);
        expect(error.message).toBe(`${name} must be an integer 1-2147483647, got "${value}"`);
      }
    }
  });

  it('uses a JWKS URL as the key source, with issuer and audience', () => {
    const config = load({
      AUTH_JWKS_URL: 'https://issuer.example.com/oauth/v2/keys',
      AUTH_ISSUER: 'https://issuer.example.com',
      AUTH_AUDIENCE: 'actions',
    });
    expect(config.auth).toEqual({
      jwksUrl: 'https://issuer.example.com/oauth/v2/keys',
      issuer: 'https://issuer.example.com',
      audience: 'actions',
      embeddedKeys: false,
    });
  });

  it.each(['ftp://issuer.example.com/keys', 'issuer.example.com/keys', 'https://'])('refuses AUTH_JWKS_URL=%p', (value) => {
    const error = configErrorOf({ AUTH_JWKS_URL: value });
    expect(error.variable).toBe('AUTH_JWKS_URL');
    expect(error.message).toContain('http:// or https://');
  });

  it('uses a JWKS file as the key source, as an absolute path', () => {
    expect(load({ AUTH_JWKS_FILE: jwksFile }).auth).toEqual({ jwksFile, embeddedKeys: false });
  });

  it('refuses a JWKS file that does not exist or is a directory', () => {
    expect(configErrorOf({ AUTH_JWKS_FILE: join(scratch, 'missing.json') }).message).toContain('AUTH_JWKS_FILE must name a readable file');
    expect(configErrorOf({ AUTH_JWKS_FILE: scratch }).message).toContain('AUTH_JWKS_FILE must name a file');
  });

  it('refuses both key sources at once', () => {
    const error = configErrorOf({ AUTH_JWKS_URL: 'https://issuer.example.com/keys', AUTH_JWKS_FILE: jwksFile });
    expect(error.message).toContain('mutually exclusive');
  });

  it.each(['AUTH_ISSUER', 'AUTH_AUDIENCE'])('refuses %s with the embedded keys, whose issuer and audience are fixed', (name) => {
    const error = configErrorOf({ [name]: 'https://issuer.example.com' });
    expect(error.variable).toBe(name);
    expect(error.message).toContain('AUTH_JWKS_URL or AUTH_JWKS_FILE');
  });

  describe("the console's OIDC sign-in", () => {
    const provider = { AUTH_JWKS_URL: 'https://issuer.example.com/oauth/v2/keys', AUTH_ISSUER: 'https://issuer.example.com', AUTH_AUDIENCE: 'actions' };

    it('is off unless CONSOLE_OIDC_CLIENT_ID is set', () => {
      expect(load(provider).consoleOidc).toBeUndefined();
    });

    it("signs in at AUTH_ISSUER with the client id, asking for openid unless told otherwise", () => {
      expect(load({ ...provider, CONSOLE_OIDC_CLIENT_ID: 'console' }).consoleOidc).toEqual({ issuer: 'https://issuer.example.com', clientId: 'console', scope: 'openid' });
      expect(load({ ...provider, CONSOLE_OIDC_CLIENT_ID: 'console', CONSOLE_OIDC_SCOPE: ' openid  profile urn:zitadel:iam:org:project:id:123:aud ' }).consoleOidc).toEqual({
        issuer: 'https://issuer.example.com',
        clientId: 'console',
        scope: 'openid profile urn:zitadel:iam:org:project:id:123:aud',
      });
      expect(load({ AUTH_JWKS_FILE: jwksFile, AUTH_ISSUER: 'http://127.0.0.1:9000', CONSOLE_OIDC_CLIENT_ID: 'console' }).consoleOidc?.issuer).toBe('http://127.0.0.1:9000');
    });

    it('refuses a client id without a provider: with the embedded key pair, or without AUTH_ISSUER', () => {
      for (const env of [{ CONSOLE_OIDC_CLIENT_ID: 'console' }, { AUTH_JWKS_URL: provider.AUTH_JWKS_URL, CONSOLE_OIDC_CLIENT_ID: 'console' }]) {
        const error = configErrorOf(env);
        expect(error.variable).toBe('CONSOLE_OIDC_CLIENT_ID');
        expect(error.message).toBe(
          'CONSOLE_OIDC_CLIENT_ID needs AUTH_ISSUER and AUTH_JWKS_URL or AUTH_JWKS_FILE: the console signs in at the OIDC provider whose tokens the service trusts (with the embedded key pair, paste a token instead)',
        );
      }
    });

    it('refuses an issuer the console cannot discover the provider at', () => {
      const error = configErrorOf({ ...provider, AUTH_ISSUER: 'urn:issuer', CONSOLE_OIDC_CLIENT_ID: 'console' });
      expect(error.variable).toBe('AUTH_ISSUER');
      expect(error.message).toBe(
        'AUTH_ISSUER must be an http:// or https:// URL when CONSOLE_OIDC_CLIENT_ID is set (the console reads <issuer>/.well-known/openid-configuration), got "urn:issuer"',
      );
      expect(load({ ...provider, AUTH_ISSUER: 'urn:issuer' }).auth.issuer).toBe('urn:issuer');
    });

    it('refuses a scope without openid, or a scope without a client id', () => {
      const withoutOpenid = configErrorOf({ ...provider, CONSOLE_OIDC_CLIENT_ID: 'console', CONSOLE_OIDC_SCOPE: 'profile email' });
      expect(withoutOpenid.variable).toBe('CONSOLE_OIDC_SCOPE');
      expect(withoutOpenid.message).toBe('CONSOLE_OIDC_SCOPE must include openid (space-separated), got "profile email"');
      const withoutClient = configErrorOf({ ...provider, CONSOLE_OIDC_SCOPE: 'openid' });
      expect(withoutClient.variable).toBe('CONSOLE_OIDC_SCOPE');
      expect(withoutClient.message).toContain('needs CONSOLE_OIDC_CLIENT_ID');
    });
  });

  it('reads the role map and catalogue files as absolute paths, refusing missing ones', () => {
    expect(load({ AUTH_ROLE_MAP_FILE: jwksFile, CATALOG_FILE: jwksFile })).toMatchObject({
      auth: { roleMapFile: jwksFile },
      catalogFile: jwksFile,
    });
    expect(configErrorOf({ AUTH_ROLE_MAP_FILE: join(scratch, 'nope.json') }).variable).toBe('AUTH_ROLE_MAP_FILE');
    expect(configErrorOf({ CATALOG_FILE: join(scratch, 'nope.json') }).variable).toBe('CATALOG_FILE');
  });

  it('reads TARGET_ALLOWED_NETWORKS as a CIDR list and ENCRYPTION_KEY_FILE as an existing file', () => {
    expect(load({ TARGET_ALLOWED_NETWORKS: '127.0.0.0/8, ::1/128' }).targetAllowedNetworks).toEqual(['127.0.0.0/8', '::1/128']);
    expect(load({}).targetAllowedNetworks).toBeUndefined();
    expect(configErrorOf({ TARGET_ALLOWED_NETWORKS: '127.0.0.1' }).variable).toBe('TARGET_ALLOWED_NETWORKS');
    expect(load({ ENCRYPTION_KEY_FILE: jwksFile }).encryptionKeyFile).toBe(jwksFile);
    expect(configErrorOf({ ENCRYPTION_KEY_FILE: join(scratch, 'nope.key') }).variable).toBe('ENCRYPTION_KEY_FILE');
  });

  it('reads LOG_LEVEL case-insensitively and refuses unknown levels', () => {
    expect(load({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(configErrorOf({ LOG_LEVEL: 'verbose' }).message).toBe(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    );
  });

  it('reads LOG_FORMAT (pretty or json; unset leaves the choice to the terminal) and refuses others', () => {
    expect(load({}).logFormat).toBeUndefined();
    expect(load({ LOG_FORMAT: 'Pretty' }).logFormat).toBe('pretty');
    expect(load({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(configErrorOf({ LOG_FORMAT: 'text' }).message).toBe('LOG_FORMAT must be one of pretty, json, got "text"');
  });
});
