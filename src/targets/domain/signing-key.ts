import { randomBytes } from 'node:crypto';

/**
 * A new target signing key: 32 bytes from the CSPRNG as base64url text. Targets verify
 * `ZITADEL-Signature` with the UTF-8 bytes of this text as the HMAC key, as ZITADEL's do.
 */
export const newSigningKey = (): string => randomBytes(32).toString('base64url');
