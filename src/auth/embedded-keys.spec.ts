import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { AppConfig } from '../config/app-config';
import { ConfigError } from '../config/config-error';
import { createTokenVerifier, EMBEDDED_UNKNOWN_KEY_MESSAGE } from './create-token-verifier';
import { currentRuntime, describeEmbeddedAuth, IMAGE_MARKER_VARIABLE } from './describe-embedded-auth';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, embeddedKeyPaths, ensureEmbeddedKeys } from './embedded-keys';
import { signEmbeddedToken } from './sign-embedded-token';

describe('embedded key pair', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'embedded-keys-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const embeddedConfig = (): AppConfig => ({
    port: 8080,
    grpcPort: 8081,
    dataDir,
    eventStore: 'sqlite',
    auth: { embeddedKeys: true },
    logLevel: 'silent',
  });

  it('creates a private key readable only by its owner and a public JWKS without private material', async () => {
    const keys = await ensureEmbeddedKeys(dataDir);
    const paths = embeddedKeyPaths(dataDir);
    expect(statSync(paths.privateKey).mode & 0o777).toBe(0o600);
    const jwks = JSON.parse(readFileSync(paths.publicJwks, 'utf8'));
    expect(jwks).toEqual(keys.jwks);
    expect(jwks.keys).toEqual([{ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: keys.kid, alg: 'EdDSA', use: 'sig' }]);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
  });

  it('reuses the key pair on later starts', async () => {
    const first = await ensureEmbeddedKeys(dataDir);
    const again = await ensureEmbeddedKeys(dataDir);
    expect(again.kid).toBe(first.kid);
  });

  it('ends with one key pair when several processes start at once', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => ensureEmbeddedKeys(dataDir)));
    expect(new Set(results.map((keys) => keys.kid)).size).toBe(1);
    const stored = JSON.parse(readFileSync(embeddedKeyPaths(dataDir).publicJwks, 'utf8'));
    expect(stored.keys[0].kid).toBe(results[0].kid);
  });

  it('rewrites a deleted public JWKS from the private key', async () => {
    const keys = await ensureEmbeddedKeys(dataDir);
    rmSync(embeddedKeyPaths(dataDir).publicJwks);
    await ensureEmbeddedKeys(dataDir);
    expect(JSON.parse(readFileSync(embeddedKeyPaths(dataDir).publicJwks, 'utf8'))).toEqual(keys.jwks);
  });

  it('refuses a corrupt private key file, saying how to recover', async () => {
    await ensureEmbeddedKeys(dataDir);
    writeFileSync(embeddedKeyPaths(dataDir).privateKey, '{"kty":"RSA"}');
    const error = await ensureEmbeddedKeys(dataDir).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('delete it to generate a new key pair');
  });

  it('signs tokens the embedded-mode verifier accepts, with the requested claims', async () => {
    const token = await signEmbeddedToken(dataDir, {
      instanceId: 'instance-7',
      roles: ['IAM_OWNER_VIEWER'],
      permissions: ['execution.delete'],
      subject: 'alice',
      expiresInSeconds: 600,
    });
    const verifier = await createTokenVerifier(embeddedConfig());
    const caller = await verifier.verify(`Bearer ${token}`);
    expect(caller).toEqual({
      instanceId: 'instance-7',
      subject: 'alice',
      permissions: new Set(['execution.target.read', 'execution.read', 'action.target.read', 'action.execution.read', 'execution.delete']),
    });
    const claims = decodeJwt(token);
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(claims).toMatchObject({ iss: EMBEDDED_ISSUER, aud: EMBEDDED_AUDIENCE });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA' });
  });

  it('defaults to a 12 hour token for the local-cli subject', async () => {
    const claims = decodeJwt(await signEmbeddedToken(dataDir, { instanceId: 'i' }));
    expect(claims.exp! - claims.iat!).toBe(12 * 3600);
    expect(claims.sub).toBe('local-cli');
    expect(claims.roles).toBeUndefined();
  });

  it('makes tokens that another data directory does not trust, and says where trusted tokens come from', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'embedded-keys-other-'));
    try {
      const foreign = await signEmbeddedToken(otherDir, { instanceId: 'i', roles: ['IAM_OWNER'] });
      const verifier = await createTokenVerifier(embeddedConfig());
      await expect(verifier.verify(`Bearer ${foreign}`)).rejects.toMatchObject({ code: 16, detailMessage: EMBEDDED_UNKNOWN_KEY_MESSAGE });
      expect(EMBEDDED_UNKNOWN_KEY_MESSAGE).toContain("the service's DATA_DIR");
      expect(EMBEDDED_UNKNOWN_KEY_MESSAGE).not.toContain(otherDir);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ instanceId: '' }, 'instanceId must not be empty'],
    [{ instanceId: 'i', expiresInSeconds: 0 }, 'expiresInSeconds must be a positive integer'],
    [{ instanceId: 'i', expiresInSeconds: 1.5 }, 'expiresInSeconds must be a positive integer'],
    [{ instanceId: 'i', subject: ' ' }, 'subject must not be empty'],
  ])('refuses unusable claims %p', async (claims, message) => {
    await expect(signEmbeddedToken(dataDir, claims)).rejects.toThrow(message);
  });

  it('tells the operator how to get a token in embedded mode only', () => {
    const lines = describeEmbeddedAuth(embeddedConfig());
    expect(lines.join('\n')).toContain(embeddedKeyPaths(dataDir).publicJwks);
    expect(lines.join('\n')).toContain(`DATA_DIR=${dataDir} npm run -s cli -- token --instance <instance-id> --role IAM_OWNER`);
    expect(lines.join('\n')).toContain('http://localhost:8080/');
    expect(lines.join('\n')).toContain('http://localhost:8080/console');
    expect(describeEmbeddedAuth({ ...embeddedConfig(), auth: { jwksUrl: 'https://idp.test/keys', embeddedKeys: false } })).toEqual([]);
  });

  it('in the container image, tells the operator the command that works there (no npm, no sources)', () => {
    const lines = describeEmbeddedAuth(embeddedConfig(), currentRuntime({ [IMAGE_MARKER_VARIABLE]: '1' }));
    const getToken = lines.find((line) => line.includes('get a token'))!;
    expect(getToken).toContain(`TOKEN=$(docker exec ${hostname()} node dist/src/cli/main.js token --instance <instance-id> --role IAM_OWNER)`);
    expect(getToken).toContain('docker compose exec service node dist/src/cli/main.js token');
    expect(getToken).not.toContain('npm');
    expect(currentRuntime({}).inImage).toBe(false);
  });
});
