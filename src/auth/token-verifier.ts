import { errors, jwtVerify, type JWTPayload } from 'jose';
import {
  expiredTokenError,
  invalidTokenError,
  keysUnavailableError,
  missingInstanceError,
  missingTokenError,
} from './auth-errors';
import type { Caller } from './caller';
import { ACCEPTED_ALGORITHMS, KeySourceUnavailableError, type KeyResolver } from './key-sources';
import { permissionsOfRoles, type RoleMap } from './role-map';
import { VerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache';

export interface TokenVerifierOptions {
  keys: KeyResolver;
  /** Required `iss` when set. */
  issuer?: string;
  /** Required `aud` (one of) when set. */
  audience?: string;
  roleMap: RoleMap;
  /** Accepted clock skew between the token issuer and this host. */
  clockToleranceSeconds?: number;
  /** Reuse of successful verifications (see VerifiedTokenCache); `false` turns it off. */
  cache?: VerifiedTokenCacheOptions | false;
  /** The message of a token signed by a key the source does not hold (says where keys come from). */
  unknownKeyMessage?: string;
}

export const UNKNOWN_KEY_MESSAGE = 'Token is signed by an unknown key';

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 10;

/**
 * Turns an `Authorization` header value into a {@link Caller}, or throws an ApiError:
 * 401 (code 16) for a missing or unacceptable token, 503 (code 14) when the key source cannot
 * be reached. Free of any transport, so HTTP guards and gRPC interceptors share it.
 */
export class TokenVerifier {
  private readonly verified: VerifiedTokenCache;

  constructor(private readonly options: TokenVerifierOptions) {
    this.verified = new VerifiedTokenCache(options.cache === false ? { maxEntries: 0 } : options.cache);
  }

  async verify(authorizationHeaderValue: string | undefined): Promise<Caller> {
    return this.verifyToken(bearerTokenOf(authorizationHeaderValue));
  }

  async verifyToken(token: string): Promise<Caller> {
    const known = this.verified.get(token);
    if (known !== undefined) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.options.keys, {
        algorithms: [...ACCEPTED_ALGORITHMS],
        requiredClaims: ['exp'],
        clockTolerance: this.options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
        ...(this.options.issuer !== undefined && { issuer: this.options.issuer }),
        ...(this.options.audience !== undefined && { audience: this.options.audience }),
      }));
    } catch (error) {
      throw explainVerificationFailure(error, this.options.unknownKeyMessage ?? UNKNOWN_KEY_MESSAGE);
    }
    const caller = this.callerOf(payload);
    // `exp` is a required claim, so jwtVerify has checked that it is a number.
    this.verified.set(token, caller, payload.exp as number);
    return caller;
  }

  private callerOf(payload: JWTPayload): Caller {
    const instanceId = payload.instance_id;
    if (typeof instanceId !== 'string' || instanceId.trim() === '') throw missingInstanceError();
    if (typeof payload.sub !== 'string' || payload.sub === '') throw invalidTokenError('Token has no subject (sub claim)');
    const roles = stringListClaim(payload, 'roles');
    const granted = stringListClaim(payload, 'permissions');
    return {
      instanceId,
      subject: payload.sub,
      permissions: new Set<string>([...permissionsOfRoles(roles, this.options.roleMap), ...granted]),
    };
  }
}

/** Extracts the token of `Bearer <token>` (scheme case-insensitive, RFC 7235). */
export function bearerTokenOf(authorizationHeaderValue: string | undefined): string {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorizationHeaderValue?.trim() ?? '');
  if (match === null) throw missingTokenError();
  return match[1];
}

function stringListClaim(payload: JWTPayload, claim: string): string[] {
  const value = payload[claim];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw invalidTokenError(`Token claim ${claim} must be an array of strings`);
  }
  return value;
}

const CLAIM_MESSAGES: Record<string, string> = {
  exp: 'Token has no valid expiration (exp claim)',
  iss: 'Token issuer is not accepted',
  aud: 'Token audience is not accepted',
  nbf: 'Token is not valid yet (nbf claim)',
  iat: 'Token issue time is invalid (iat claim)',
};

/**
 * Says what is wrong with the token without echoing library internals. Errors that are not
 * about the token (bugs) pass through unchanged and end up as internal errors.
 */
function explainVerificationFailure(error: unknown, unknownKeyMessage: string): unknown {
  if (error instanceof KeySourceUnavailableError) return keysUnavailableError(error);
  if (error instanceof errors.JWTExpired) return expiredTokenError();
  if (error instanceof errors.JWTClaimValidationFailed) {
    return invalidTokenError(CLAIM_MESSAGES[error.claim] ?? `Token claim ${error.claim} is invalid`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalidTokenError('Token signature is invalid');
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return invalidTokenError(`Token algorithm is not accepted (use ${ACCEPTED_ALGORITHMS.join(', ')})`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) return invalidTokenError(unknownKeyMessage);
  if (error instanceof errors.JWKSMultipleMatchingKeys) return invalidTokenError('Token signature is invalid');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return invalidTokenError('Token is malformed');
  if (error instanceof errors.JOSEError) return invalidTokenError('Token cannot be verified');
  return error;
}
