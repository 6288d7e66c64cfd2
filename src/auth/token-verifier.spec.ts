import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { createHmac } from 'node:crypto';
import { ApiError, StatusCode } from '../common/errors/api-error';
import { AuthErrorId } from './auth-errors';
import { localKeyResolver, remoteKeyResolver } from './key-sources';
import { TENANT_PERMISSIONS } from './permissions';
import { DEFAULT_ROLE_MAP } from './role-map';
import { TokenVerifier } from './token-verifier';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'actions';
type Algorithm = 'RS256' | 'ES256' | 'EdDSA';

interface TestKey {
  alg: Algorithm;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicKey: CryptoKey;
}

async function makeKey(alg: Algorithm, kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

const now = () => Math.floor(Date.now() / 1000);

function validClaims(overrides: JWTPayload = {}): JWTPayload {
  return { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', instance_id: 'instance-1', roles: ['IAM_OWNER'], exp: now() + 300, iat: now(), ...overrides };
}

async function sign(key: TestKey, claims: JWTPayload = validClaims(), kid: string = key.kid): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid }).sign(key.privateKey);
}

/** The ApiError a rejected verification produced (fails the test if it resolved). */
async function rejectionOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the verification to be refused');
}

function expectUnauthenticated(error: ApiError, id: string, message?: string): void {
  expect(error.code).toBe(StatusCode.Unauthenticated);
  expect(error.id).toBe(id);
  if (message !== undefined) expect(error.detailMessage).toBe(message);
}

describe('TokenVerifier with local keys', () => {
  let rsa: TestKey;
  let ec: TestKey;
  let ed: TestKey;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    [rsa, ec, ed] = await Promise.all([makeKey('RS256', 'rsa-1'), makeKey('ES256', 'ec-1'), makeKey('EdDSA', 'ed-1')]);
    verifier = new TokenVerifier({
      keys: localKeyResolver({ keys: [rsa.publicJwk, ec.publicJwk, ed.publicJwk] }),
      issuer: ISSUER,
      audience: AUDIENCE,
      roleMap: DEFAULT_ROLE_MAP,
    });
  });

  it.each(['RS256', 'ES256', 'EdDSA'] as const)('accepts a valid %s token and names the caller', async (alg) => {
    const key = { RS256: rsa, ES256: ec, EdDSA: ed }[alg];
    const caller = await verifier.verify(`Bearer ${await sign(key)}`);
    expect(caller.instanceId).toBe('instance-1');
    expect(caller.subject).toBe('user-1');
    expect([...caller.permissions].sort()).toEqual([...TENANT_PERMISSIONS].sort());
  });

  it('accepts the scheme in any case and surrounding blanks', async () => {
    await expect(verifier.verify(`  bearer   ${await sign(ed)} `)).resolves.toMatchObject({ subject: 'user-1' });
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Token abc'])('refuses a missing bearer token (%p)', async (header) => {
    expectUnauthenticated(await rejectionOf(verifier.verify(header)), AuthErrorId.missingToken);
  });

  it.each(['abc', 'a.b.c', 'eyJhbGciOiJFUzI1NiJ9.e30', `${'x'.repeat(20)}.${'y'.repeat(20)}.`])('refuses a malformed token %p', async (token) => {
    expectUnauthenticated(await rejectionOf(verifier.verify(`Bearer ${token}`)), AuthErrorId.invalidToken, 'Token is malformed');
  });

  it('refuses an expired token with its own id', async () => {
    const token = await sign(ed, validClaims({ exp: now() - 60, iat: now() - 120 }));
    expectUnauthenticated(await rejectionOf(verifier.verify(`Bearer ${token}`)), AuthErrorId.expiredToken, 'Token expired');
  });

  it('tolerates a few seconds of clock skew on exp', async () => {
    const token = await sign(ed, validClaims({ exp: now() - 2 }));
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({ instanceId: 'instance-1' });
  });

  it('refuses a token without exp', async () => {
    const claims = validClaims();
    delete claims.exp;
    const error = await rejectionOf(verifier.verify(`Bearer ${await sign(ec, claims)}`));
    expectUnauthenticated(error, AuthErrorId.invalidToken, 'Token has no valid expiration (exp claim)');
  });

  it('refuses a token not valid yet', async () => {
    const token = await sign(ec, validClaims({ nbf: now() + 600 }));
    expectUnauthenticated(await rejectionOf(verifier.verify(`Bearer ${token}`)), AuthErrorId.invalidToken, 'Token is not valid yet (nbf claim)');
  });

  it('refuses a token signed by another key under a trusted kid', async () => {
    const impostor = await makeKey('RS256', 'rsa-1');
    const error = await rejectionOf(verifier.verify(`Bearer ${await sign(impostor)}`));
    expectUnauthenticated(error, AuthErrorId.invalidToken, 'Token signature is invalid');
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const [header, , signature] = (await sign(ed)).split('.');
    const forgedPayload = base64url.encode(JSON.stringify(validClaims({ roles: ['IAM_OWNER'], instance_id: 'someone-else' })));
    const error = await rejectionOf(verifier.verify(`Bearer ${header}.${forgedPayload}.${signature}`));
    expectUnauthenticated(error, AuthErrorId.invalidToken, 'Token signature is invalid');
  });

  it('refuses a token naming an unknown key', async () => {
    const stranger = await makeKey('ES256', 'ec-unknown');
    const error = await rejectionOf(verifier.verify(`Bearer ${await sign(stranger)}`));
    expectUnauthenticated(error, AuthErrorId.invalidToken, 'Token is signed by an unknown key');
  });

  it('refuses alg "none"', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url.encode(JSON.stringify(validClaims()));
    const error = await rejectionOf(verifier.verify(`Bearer ${header}.${payload}.`));
    expectUnauthenticated(error, AuthErrorId.invalidToken, 'Token algorithm is not accepted (use RS256, ES256, EdDSA)');
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const publicPem = await exportSPKI(rsa.publicKey);
    const header = base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'rsa-1' }));
    const payload = base64url.encode(JSON.stringify(validClaims()));
    const signature = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url');
    const error = await rejectionOf(verifier.verify(`Bearer ${header}.${payload}.${signature}`));
    expectUnauthenticated(error, AuthErrorId.invalidToken, 'Token algorithm is not accepted (use RS256, ES256, EdDSA)');
  });

  it('refuses a wrong issuer and a wrong audience, saying which', async () => {
    const wrongIssuer = await sign(rsa, validClaims({ iss: 'https://evil.test' }));
    expectUnauthenticated(await rejectionOf(verifier.verify(`Bearer ${wrongIssuer}`)), AuthErrorId.invalidToken, 'Token issuer is not accepted');
    const wrongAudience = await sign(rsa, validClaims({ aud: 'other-api' }));
    expectUnauthenticated(await rejectionOf(verifier.verify(`Bearer ${wrongAudience}`)), AuthErrorId.invalidToken, 'Token audience is not accepted');
  });

  it('accepts an audience list containing the expected audience', async () => {
    const token = await sign(rsa, validClaims({ aud: ['other-api', AUDIENCE] }));
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({ subject: 'user-1' });
  });

  it.each([undefined, '', '  ', 42])('refuses a token whose instance_id is %p (no tenant)', async (instanceId) => {
    const token = await sign(ed, validClaims({ instance_id: instanceId }));
    const error = await rejectionOf(verifier.verify(`Bearer ${token}`));
    expectUnauthenticated(error, AuthErrorId.missingInstance, 'Token has no instance_id claim naming the instance');
  });

  it('refuses a token without a subject', async () => {
    const token = await sign(ed, validClaims({ sub: undefined }));
    expectUnauthenticated(await rejectionOf(verifier.verify(`Bearer ${token}`)), AuthErrorId.invalidToken, 'Token has no subject (sub claim)');
  });

  it.each([['roles', 'IAM_OWNER'], ['roles', [1]], ['permissions', { read: true }]])('refuses a %s claim of %p', async (claim, value) => {
    const token = await sign(ed, validClaims({ [claim]: value }));
    expectUnauthenticated(
      await rejectionOf(verifier.verify(`Bearer ${token}`)),
      AuthErrorId.invalidToken,
      `Token claim ${claim} must be an array of strings`,
    );
  });

  it('maps IAM_OWNER_VIEWER to the read permissions, ignores unknown roles, and grants the permissions claim as is', async () => {
    const viewer = await verifier.verify(`Bearer ${await sign(ed, validClaims({ roles: ['IAM_OWNER_VIEWER', 'ORG_OWNER'] }))}`);
    expect([...viewer.permissions].sort()).toEqual(['action.execution.read', 'action.target.read', 'execution.read', 'execution.target.read']);

    const nobody = await verifier.verify(`Bearer ${await sign(ed, validClaims({ roles: ['ORG_OWNER'] }))}`);
    expect(nobody.permissions.size).toBe(0);

    const direct = await verifier.verify(`Bearer ${await sign(ed, validClaims({ roles: undefined, permissions: ['execution.write', 'custom.thing'] }))}`);
    expect([...direct.permissions].sort()).toEqual(['custom.thing', 'execution.write']);
  });

  it('never puts the token or library internals in its messages', async () => {
    const token = await sign(ed, validClaims({ exp: now() - 60 }));
    const messages = await Promise.all(
      [`Bearer ${token}`, 'Bearer abc', `Bearer ${await sign(ed, validClaims({ aud: 'x' }))}`].map(async (header) => (await rejectionOf(verifier.verify(header))).message),
    );
    for (const message of messages) {
      expect(message).not.toContain(token.slice(0, 20));
      expect(message).not.toMatch(/ERR_|jose|JWS|"alg"/);
    }
  });
});

describe('TokenVerifier with a JWKS URL', () => {
  let server: Server;
  let jwksUrl: string;
  let served: { keys: JWK[] } | 'error' = { keys: [] };
  let fetches = 0;
  let first: TestKey;
  let second: TestKey;

  beforeAll(async () => {
    [first, second] = await Promise.all([makeKey('EdDSA', 'first'), makeKey('ES256', 'second')]);
    server = createServer((_request, response) => {
      fetches += 1;
      if (served === 'error') {
        response.writeHead(500).end('boom');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    fetches = 0;
    served = { keys: [first.publicJwk] };
  });

  // Without reuse of verified tokens: these tests are about when the key source is consulted.
  const remoteVerifier = (url: string, options: Parameters<typeof remoteKeyResolver>[1]) =>
    new TokenVerifier({ keys: remoteKeyResolver(url, { timeoutMs: 2_000, ...options }), issuer: ISSUER, audience: AUDIENCE, roleMap: DEFAULT_ROLE_MAP, cache: false });

  it('fetches the key set once and serves later tokens from the cache', async () => {
    const verifier = remoteVerifier(jwksUrl, {});
    await verifier.verify(`Bearer ${await sign(first)}`);
    await verifier.verify(`Bearer ${await sign(first, validClaims({ sub: 'user-2' }))}`);
    expect(fetches).toBe(1);
  });

  it('refetches the key set when a token names a kid it does not know yet (key rotation)', async () => {
    const verifier = remoteVerifier(jwksUrl, { cooldownMs: 0 });
    await verifier.verify(`Bearer ${await sign(first)}`);
    served = { keys: [first.publicJwk, second.publicJwk] };
    await expect(verifier.verify(`Bearer ${await sign(second)}`)).resolves.toMatchObject({ instanceId: 'instance-1' });
    expect(fetches).toBe(2);
  });

  it('does not refetch for unknown kids during the cooldown, so bogus kids cannot hammer the key source', async () => {
    const verifier = remoteVerifier(jwksUrl, { cooldownMs: 60_000 });
    await verifier.verify(`Bearer ${await sign(first)}`);
    served = { keys: [first.publicJwk, second.publicJwk] };
    const error = await rejectionOf(verifier.verify(`Bearer ${await sign(second)}`));
    expectUnauthenticated(error, AuthErrorId.invalidToken, 'Token is signed by an unknown key');
    expect(fetches).toBe(1);
  });

  it('answers 503-style Unavailable when the JWKS URL refuses connections', async () => {
    const refusedPort = await freePort();
    const verifier = remoteVerifier(`http://127.0.0.1:${refusedPort}/keys`, {});
    const error = await rejectionOf(verifier.verify(`Bearer ${await sign(first)}`));
    expect(error.code).toBe(StatusCode.Unavailable);
    expect(error.id).toBe(AuthErrorId.keysUnavailable);
    expect(error.detailMessage).toBe('Token signing keys are unavailable, try again later');
  });

  it('answers Unavailable when the JWKS URL answers with an error status', async () => {
    served = 'error';
    const error = await rejectionOf(remoteVerifier(jwksUrl, {}).verify(`Bearer ${await sign(first)}`));
    expect(error.code).toBe(StatusCode.Unavailable);
  });

  it('keeps verifying known keys while the JWKS URL fails, but not unknown ones', async () => {
    // cacheMaxAge 0: every verification tries to refresh, as if the cache had just gone stale.
    const verifier = remoteVerifier(jwksUrl, { cacheMaxAgeMs: 0, cooldownMs: 0 });
    await verifier.verify(`Bearer ${await sign(first)}`);
    served = 'error';
    await expect(verifier.verify(`Bearer ${await sign(first)}`)).resolves.toMatchObject({ subject: 'user-1' });
    expect((await rejectionOf(verifier.verify(`Bearer ${await sign(second)}`))).code).toBe(StatusCode.Unavailable);
    expect(fetches).toBeGreaterThanOrEqual(3);
  });

  it('refuses a non-asymmetric algorithm without consulting the key source', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'HS256', kid: 'first' }));
    const payload = base64url.encode(JSON.stringify(validClaims()));
    const signature = createHmac('sha256', 'secret').update(`${header}.${payload}`).digest('base64url');
    const error = await rejectionOf(remoteVerifier(jwksUrl, {}).verify(`Bearer ${header}.${payload}.${signature}`));
    expectUnauthenticated(error, AuthErrorId.invalidToken);
    expect(fetches).toBe(0);
  });
});

/** A port on 127.0.0.1 with nothing listening: connections to it are refused. */
async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
