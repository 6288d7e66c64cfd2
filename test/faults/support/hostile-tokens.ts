import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT, base64url, importJWK, type JWTPayload } from 'jose';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, ensureEmbeddedKeys } from '../../../src/auth/embedded-keys';

const encode = (value: unknown): string => base64url.encode(JSON.stringify(value));

/**
 * Tokens an attacker could send to a service in embedded mode, none of which may be accepted:
 * unsigned (alg none), HMAC-signed with the public key as secret (algorithm confusion), signed
 * by another key under the service's kid, the service's signature over a modified payload, and
 * the service's own key with claims it must refuse (expired, not yet valid, foreign issuer or
 * audience, no instance, no subject), plus malformed shapes.
 */
export async function hostileTokens(dataDir: string, instanceId: string): Promise<Record<string, string>> {
  const keys = await ensureEmbeddedKeys(dataDir);
  const publicJwk = keys.jwks.keys[0];
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = { iss: EMBEDDED_ISSUER, aud: EMBEDDED_AUDIENCE, sub: 'attacker', instance_id: instanceId, roles: ['IAM_OWNER'], iat: now, exp: now + 600 };
  const header = { alg: 'EdDSA', kid: keys.kid, typ: 'JWT' };
  const signWithService = (payload: JWTPayload, protectedHeader: Record<string, unknown> = header) =>
    new SignJWT(payload).setProtectedHeader(protectedHeader as { alg: string }).sign(keys.privateKey);
  const valid = await signWithService(claims);
  const [validHeader, , validSignature] = valid.split('.');
  const hmac = (secret: string | Buffer, protectedHeader: Record<string, unknown>): string => {
    const input = `${encode(protectedHeader)}.${encode(claims)}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
  const other = generateKeyPairSync('ed25519');
  const otherKey = await importJWK({ ...(other.privateKey.export({ format: 'jwk' }) as Record<string, string>), alg: 'EdDSA' }, 'EdDSA');

  return {
    'alg none': `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`,
    'alg none, kid of the service': `${encode({ alg: 'none', kid: keys.kid })}.${encode(claims)}.`,
    'HS256 with the public key x as secret': hmac(String(publicJwk.x), { alg: 'HS256', kid: keys.kid, typ: 'JWT' }),
    'HS256 with the public JWKS text as secret': hmac(JSON.stringify(keys.jwks), { alg: 'HS256', kid: keys.kid }),
    'HS256 with the raw public key bytes as secret': hmac(Buffer.from(String(publicJwk.x), 'base64url'), { alg: 'HS256', typ: 'JWT' }),
    'another key signing under the service kid': await new SignJWT(claims).setProtectedHeader(header).sign(otherKey),
    'the service signature under an unknown kid': `${encode({ ...header, kid: 'not-a-key' })}.${encode(claims)}.${validSignature}`,
    'RS256 header over an EdDSA signature': `${encode({ ...header, alg: 'RS256' })}.${valid.split('.')[1]}.${validSignature}`,
    'payload swapped to another instance': `${validHeader}.${encode({ ...claims, instance_id: 'victim-instance' })}.${validSignature}`,
    'payload with extended expiry': `${validHeader}.${encode({ ...claims, exp: now + 10 * 365 * 86_400 })}.${validSignature}`,
    'payload granting roles': `${validHeader}.${encode({ ...claims, roles: ['IAM_OWNER', 'SYSTEM'], permissions: ['execution.write'] })}.${validSignature}`,
    'signature of another token': `${validHeader}.${encode(claims)}.${(await signWithService({ ...claims, sub: 'someone' })).split('.')[2]}`,
    expired: await signWithService({ ...claims, iat: now - 7200, exp: now - 3600 }),
    'not valid yet': await signWithService({ ...claims, nbf: now + 3600 }),
    'foreign issuer': await signWithService({ ...claims, iss: 'https://evil.example.com' }),
    'foreign audience': await signWithService({ ...claims, aud: 'another-service' }),
    'no expiry': await signWithService({ ...claims, exp: undefined }),
    'no instance': await signWithService({ ...claims, instance_id: undefined }),
    'roles not strings': await signWithService({ ...claims, roles: [{ $gt: '' }] as unknown as string[] }),
    'header with a jwk of its own': await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', jwk: { kty: 'OKP', crv: 'Ed25519', x: (other.publicKey.export({ format: 'jwk' }) as { x: string }).x } })
      .sign(otherKey),
    truncated: valid.slice(0, -10),
    'two parts': valid.split('.').slice(0, 2).join('.'),
    'four parts': `${valid}.${validSignature}`,
    'not base64': '!!!.???.***',
    'large token': `${validHeader}.${'A'.repeat(12_000)}.${validSignature}`,
    'token beyond the header size limit': `${validHeader}.${'A'.repeat(100_000)}.${validSignature}`,
    'header not JSON': `${base64url.encode('{"alg":')}.${encode(claims)}.${validSignature}`,
    'proto header': `${encode({ __proto__: { alg: 'none' }, alg: 'EdDSA', kid: keys.kid })}.${encode(claims)}.${validSignature}`,
  };
}
