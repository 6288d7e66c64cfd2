import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ConfigError } from '../config/config-error';
import { createTokenVerifier } from './create-token-verifier';
import { loadJwksFile } from './key-sources';
import type { AppConfig } from '../config/app-config';

describe('loadJwksFile', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'jwks-file-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  function fileWith(content: string): string {
    const path = join(scratch, 'jwks.json');
    writeFileSync(path, content);
    return path;
  }

  async function configErrorOf(path: string): Promise<ConfigError> {
    const error = await loadJwksFile(path).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    if (error instanceof ConfigError) return error;
    throw new Error(`expected a ConfigError, got ${String(error)}`);
  }

  it('loads public keys of every accepted kind, ignoring keys of other kinds', async () => {
    const keys = await Promise.all(
      (['RS256', 'ES256', 'EdDSA', 'ES384'] as const).map(async (alg) => exportJWK((await generateKeyPair(alg)).publicKey)),
    );
    const jwks = await loadJwksFile(fileWith(JSON.stringify({ keys })));
    expect(jwks.keys).toHaveLength(4);
  });

  it('lets the service verify tokens signed with a key from the file (AUTH_JWKS_FILE)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const path = fileWith(JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] }));
    const config: AppConfig = {
      port: 1,
      grpcPort: 2,
      dataDir: scratch,
      eventStore: 'sqlite',
      auth: { jwksFile: path, issuer: 'https://idp.test', audience: 'actions', embeddedKeys: false },
      logLevel: 'silent',
    };
    const verifier = await createTokenVerifier(config);
    const token = await new SignJWT({ instance_id: 'i1' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://idp.test')
      .setAudience('actions')
      .setSubject('svc')
      .setExpirationTime('5m')
      .sign(privateKey);
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({ instanceId: 'i1', subject: 'svc' });
  });

  it('names AUTH_JWKS_FILE when the file cannot be read', async () => {
    const error = await configErrorOf(join(scratch, 'missing.json'));
    expect(error.variable).toBe('AUTH_JWKS_FILE');
    expect(error.message).toContain('cannot be read');
  });

  it('refuses a file that is not JSON', async () => {
    expect((await configErrorOf(fileWith('{"keys": ['))).message).toContain('is not valid JSON');
  });

  it.each(['[]', '{}', '{"keys": {}}', '{"keys": ["x"]}'])('refuses %s as not a JWKS', async (content) => {
    expect((await configErrorOf(fileWith(content))).message).toContain('must be a JWKS');
  });

  it('refuses private and symmetric keys', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const privateJwk = { ...(await exportJWK(privateKey)), kid: 'leaked' };
    expect((await configErrorOf(fileWith(JSON.stringify({ keys: [privateJwk] })))).message).toContain('key "leaked" is private or symmetric');
    const secret = { kty: 'oct', k: 'c2VjcmV0' };
    expect((await configErrorOf(fileWith(JSON.stringify({ keys: [secret] })))).message).toContain('key #0 is private or symmetric');
  });

  it('refuses a key set with no key usable for RS256, ES256 or EdDSA', async () => {
    const p384 = await exportJWK((await generateKeyPair('ES384')).publicKey);
    expect((await configErrorOf(fileWith(JSON.stringify({ keys: [p384] })))).message).toContain('holds no key usable');
    expect((await configErrorOf(fileWith('{"keys": []}'))).message).toContain('holds no key usable');
  });

  it('refuses a corrupt key', async () => {
    const broken = { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA', kid: 'broken' };
    expect((await configErrorOf(fileWith(JSON.stringify({ keys: [broken] })))).message).toContain('key "broken" is not a valid ES256 public key');
  });
});
