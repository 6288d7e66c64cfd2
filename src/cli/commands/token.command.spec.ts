import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { createTokenVerifier } from '../../auth/create-token-verifier';
import { embeddedKeyPaths, ensureEmbeddedKeys } from '../../auth/embedded-keys';
import { loadConfig } from '../../config/load-config';
import { runCli } from '../program';

describe('cli token', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cli-token-'));
    // As the service does on its first start in this DATA_DIR.
    await ensureEmbeddedKeys(dataDir);
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
    let stdout = '';
    let stderr = '';
    const exitCode = await runCli(args, {
      env: { DATA_DIR: dataDir, ...env },
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
    });
    return { exitCode, stdout, stderr };
  }

  it('prints only a token, which the service in embedded mode accepts with the requested grants', async () => {
    const result = await run(['token', '--instance', 'inst-1', '--role', 'IAM_OWNER_VIEWER', '--permission', 'execution.delete', '--subject', 'bob']);
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const verifier = await createTokenVerifier(loadConfig({ DATA_DIR: dataDir }));
    const caller = await verifier.verify(`Bearer ${result.stdout.trim()}`);
    expect(caller).toEqual({
      instanceId: 'inst-1',
      subject: 'bob',
      permissions: new Set(['execution.target.read', 'execution.read', 'action.target.read', 'action.execution.read', 'execution.delete']),
    });
  });

  it('accepts repeated roles and a lifetime in seconds', async () => {
    const result = await run(['token', '--instance', 'i', '--role', 'IAM_OWNER', '--role', 'IAM_OWNER_VIEWER', '--expires-in', '3600']);
    const claims = decodeJwt(result.stdout.trim());
    expect(claims.roles).toEqual(['IAM_OWNER', 'IAM_OWNER_VIEWER']);
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('warns on stderr about roles and permissions that grant nothing, still printing the token', async () => {
    const result = await run(['token', '--instance', 'i', '--role', 'ORG_OWNER', '--permission', 'execution.rread']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim().split('.')).toHaveLength(3);
    expect(result.stderr).toContain('warning: role "ORG_OWNER" grants no permissions (known roles: IAM_OWNER, IAM_OWNER_VIEWER, ACTIONS_RUNNER, SYSTEM_OWNER)');
    expect(result.stderr).toContain('warning: "execution.rread" is not a permission the API checks');
  });

  it('warns when the token grants nothing at all', async () => {
    expect((await run(['token', '--instance', 'i'])).stderr).toContain('the token grants no permissions');
  });

  it('knows the roles of AUTH_ROLE_MAP_FILE', async () => {
    const roleMapFile = join(dataDir, 'roles.json');
    writeFileSync(roleMapFile, '{"JANITOR": ["execution.delete"]}');
    const result = await run(['token', '--instance', 'i', '--role', 'JANITOR', '--role', 'IAM_OWNER'], { AUTH_ROLE_MAP_FILE: roleMapFile });
    expect(result.stderr).toBe('warning: role "IAM_OWNER" grants no permissions (known roles: JANITOR)\n');
  });

  it('fails without --instance, printing the usage error on stderr only', async () => {
    const result = await run(['token', '--role', 'IAM_OWNER']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("required option '--instance <id>' not specified");
  });

  it.each(['0', '-5', '1.5', 'soon'])('refuses --expires-in %s', async (value) => {
    const result = await run(['token', '--instance', 'i', '--expires-in', value]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('must be a positive integer number of seconds');
  });

  it('refuses to sign when the service trusts an external key source instead', async () => {
    const result = await run(['token', '--instance', 'i', '--role', 'IAM_OWNER'], { AUTH_JWKS_URL: 'https://idp.example/keys' });
    expect(result).toMatchObject({ exitCode: 1, stdout: '' });
    expect(result.stderr).toContain('error: the service is configured with AUTH_JWKS_URL or AUTH_JWKS_FILE');
  });

  it('reports a bad environment by variable name', async () => {
    const result = await run(['token', '--instance', 'i'], { EVENT_STORE: 'mongo' });
    expect(result).toMatchObject({ exitCode: 1, stdout: '' });
    expect(result.stderr).toBe('error: EVENT_STORE must be one of sqlite, postgres, eventstoredb, got "mongo"\n');
  });

  it.each([
    [['--instance', ' '], '--instance must not be empty'],
    [['--instance', 'i', '--subject', ''], '--subject must not be empty'],
  ])('refuses %p', async (args, message) => {
    const result = await run(['token', ...args, '--role', 'IAM_OWNER']);
    expect(result).toMatchObject({ exitCode: 1, stdout: '', stderr: `error: ${message}\n` });
  });

  it('prints help on stdout with exit code 0', async () => {
    const result = await run(['token', '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('--instance <id>');
  });

  it('lists the commands and fails when none is given', async () => {
    const result = await run([]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('token [options]');
  });

  it('makes no key pair of its own where the service has none: says where it looked and how to point it at the service', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'cli-token-elsewhere-'));
    try {
      const result = await run(['token', '--instance', 'i', '--role', 'IAM_OWNER'], { DATA_DIR: elsewhere });
      expect(result).toMatchObject({ exitCode: 1, stdout: '' });
      expect(result.stderr).toContain(`error: no embedded key pair in ${join(elsewhere, 'auth')} (DATA_DIR=${elsewhere})`);
      expect(result.stderr).toContain("the service's DATA_DIR, in the environment or in .env: DATA_DIR=");
      expect(existsSync(embeddedKeyPaths(elsewhere).privateKey)).toBe(false);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('the built command line', () => {
  const root = join(__dirname, '..', '..', '..');
  let workDir: string;
  let serviceDataDir: string;
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
  });
  beforeEach(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'cli-env-file-'));
    serviceDataDir = join(workDir, 'service-data');
    await ensureEmbeddedKeys(serviceDataDir);
    writeFileSync(join(workDir, '.env'), `# the service's settings\nDATA_DIR=${serviceDataDir}\nLOG_LEVEL=silent\n`);
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  function cli(env: NodeJS.ProcessEnv) {
    const { DATA_DIR: _dataDir, ...inherited } = process.env;
    return spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'main.js'), 'token', '--instance', 'i', '--role', 'IAM_OWNER'], {
      cwd: workDir,
      env: { ...inherited, ...env },
      encoding: 'utf8',
    });
  }

  it("reads .env of its working directory, so it signs with the key pair of the service's DATA_DIR", async () => {
    const result = cli({});
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const verifier = await createTokenVerifier(loadConfig({ DATA_DIR: serviceDataDir }));
    await expect(verifier.verify(`Bearer ${result.stdout.trim()}`)).resolves.toMatchObject({ instanceId: 'i' });
  });

  it('lets the environment win over .env', () => {
    const elsewhere = join(workDir, 'elsewhere');
    const result = cli({ DATA_DIR: elsewhere });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`no embedded key pair in ${join(elsewhere, 'auth')}`);
  });
});
