import { SignJWT } from 'jose';
import { EMBEDDED_ALGORITHM, EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, ensureEmbeddedKeys } from './embedded-keys';

export interface EmbeddedTokenClaims {
  instanceId: string;
  roles?: string[];
  permissions?: string[];
  /** Defaults to {@link DEFAULT_EMBEDDED_SUBJECT}. */
  subject?: string;
  /** Defaults to {@link DEFAULT_EMBEDDED_TOKEN_LIFETIME_SECONDS} (12 hours). */
  expiresInSeconds?: number;
}

export const DEFAULT_EMBEDDED_SUBJECT = 'local-cli';
export const DEFAULT_EMBEDDED_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60;

/**
 * Signs a token the service accepts in embedded mode (no AUTH_JWKS_URL / AUTH_JWKS_FILE), with
 * the key pair in `dataDir` (created when missing). Throws RangeError on unusable claims.
 */
export async function signEmbeddedToken(dataDir: string, claims: EmbeddedTokenClaims): Promise<string> {
  const expiresInSeconds = claims.expiresInSeconds ?? DEFAULT_EMBEDDED_TOKEN_LIFETIME_SECONDS;
  if (claims.instanceId.trim() === '') throw new RangeError('instanceId must not be empty');
  if (!Number.isSafeInteger(expiresInSeconds) || expiresInSeconds <= 0) {
    throw new RangeError(`expiresInSeconds must be a positive integer, got ${expiresInSeconds}`);
  }
  const subject = claims.subject ?? DEFAULT_EMBEDDED_SUBJECT;
  if (subject.trim() === '') throw new RangeError('subject must not be empty');

  const keys = await ensureEmbeddedKeys(dataDir);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    instance_id: claims.instanceId,
    ...(claims.roles !== undefined && { roles: claims.roles }),
    ...(claims.permissions !== undefined && { permissions: claims.permissions }),
  })
    .setProtectedHeader({ alg: EMBEDDED_ALGORITHM, kid: keys.kid, typ: 'JWT' })
    .setIssuer(EMBEDDED_ISSUER)
    .setAudience(EMBEDDED_AUDIENCE)
    .setSubject(subject)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(keys.privateKey);
}
