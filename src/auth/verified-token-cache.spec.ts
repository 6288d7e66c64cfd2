import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { Caller } from './caller';
import { localKeyResolver, type KeyResolver } from './key-sources';
import { DEFAULT_ROLE_MAP } from './role-map';
import { TokenVerifier } from './token-verifier';
import { entryBytes, VerifiedTokenCache } from './verified-token-cache';

const caller = (subject: string): Caller => ({ instanceId: 'instance-1', subject, permissions: new Set(['execution.read']) });

describe('VerifiedTokenCache', () => {
  it('returns a verified caller until the token expires', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache({ now: () => now, maxAgeMs: 3_600_000 });
    cache.set('token-a', caller('a'), (now + 30_000) / 1000);
    expect(cache.get('token-a')?.subject).toBe('a');
    now += 29_999;
    expect(cache.get('token-a')?.subject).toBe('a');
    now += 1;
    expect(cache.get('token-a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('reuses a verification for at most maxAgeMs, even for a long-lived token', () => {
    let now = 5_000;
    const cache = new VerifiedTokenCache({ now: () => now, maxAgeMs: 1_000 });
    cache.set('token-a', caller('a'), 1e9);
    now += 999;
    expect(cache.get('token-a')).toBeDefined();
    now += 1;
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('does not store a token that has already expired', () => {
    const cache = new VerifiedTokenCache({ now: () => 10_000 });
    cache.set('old', caller('a'), 9);
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 2, now: () => 0 });
    cache.set('one', caller('1'), 100);
    cache.set('two', caller('2'), 100);
    cache.set('three', caller('3'), 100);
    expect([cache.get('one'), cache.get('two')?.subject, cache.get('three')?.subject]).toEqual([undefined, '2', '3']);
    expect(cache.size).toBe(2);
  });

  it('keeps its entries within maxBytes, dropping the oldest first, and never stores one larger than that', () => {
    const token = (label: string): string => `${label}.${'x'.repeat(2_000)}`;
    const perEntry = entryBytes(token('one'), caller('1'));
    const cache = new VerifiedTokenCache({ maxBytes: perEntry * 2 + 10, now: () => 0 });
    cache.set(token('one'), caller('1'), 100);
    cache.set(token('two'), caller('2'), 100);
    cache.set(token('six'), caller('6'), 100);
    expect([cache.get(token('one')), cache.get(token('two'))?.subject, cache.get(token('six'))?.subject]).toEqual([undefined, '2', '6']);
    expect(cache.bytes).toBeLessThanOrEqual(perEntry * 2 + 10);
    cache.set(`huge.${'y'.repeat(perEntry * 2)}`, caller('h'), 100);
    expect(cache.get(token('two'))?.subject).toBe('2');
    expect(cache.size).toBe(2);
  });

  it('drops expired entries that are never asked for again', () => {
    let now = 0;
    const cache = new VerifiedTokenCache({ maxAgeMs: 1_000, now: () => now });
    for (let index = 0; index < 100; index += 1) cache.set(`once-${index}`, caller(String(index)), 1e9);
    expect(cache.size).toBe(100);
    now += 1_000;
    cache.set('fresh', caller('fresh'), 1e9);
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(entryBytes('fresh', caller('fresh')));
  });
});

describe('TokenVerifier reusing verifications', () => {
  async function setUp(cache?: false) {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const resolver = localKeyResolver({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'EdDSA' }] });
    let lookups = 0;
    const keys: KeyResolver = (header, token) => {
      lookups += 1;
      return resolver(header, token);
    };
    const verifier = new TokenVerifier({ keys, roleMap: DEFAULT_ROLE_MAP, ...(cache === false ? { cache } : {}) });
    const sign = (claims: JWTPayload) => new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: 'k' }).sign(privateKey);
    return { verifier, sign, lookups: () => lookups };
  }
  const claims = (overrides: JWTPayload = {}): JWTPayload => ({ sub: 'user-1', instance_id: 'instance-1', roles: ['IAM_OWNER'], exp: Math.floor(Date.now() / 1000) + 300, ...overrides });

  it('checks the signature of a token once and trusts the same token string afterwards', async () => {
    const { verifier, sign, lookups } = await setUp();
    const token = await sign(claims());
    const first = await verifier.verify(`Bearer ${token}`);
    const second = await verifier.verify(`Bearer ${token}`);
    expect(second).toEqual(first);
    expect(lookups()).toBe(1);
  });

  it('never trusts a token that failed, nor a modified copy of a trusted one', async () => {
    const { verifier, sign } = await setUp();
    const token = await sign(claims());
    await verifier.verify(`Bearer ${token}`);
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify(claims({ instance_id: 'instance-2' }))).toString('base64url');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await expect(verifier.verify(`Bearer ${header}.${forgedPayload}.${signature}`)).rejects.toMatchObject({ id: 'AUTH-w8Ktz' });
    }
  });

  it('verifies every time when reuse is turned off', async () => {
    const { verifier, sign, lookups } = await setUp(false);
    const token = await sign(claims());
    await verifier.verify(`Bearer ${token}`);
    await verifier.verify(`Bearer ${token}`);
    expect(lookups()).toBe(2);
  });
});
