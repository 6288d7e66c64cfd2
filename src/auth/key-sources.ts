import { readFile } from 'node:fs/promises';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { ConfigError } from '../config/config-error';

/** Finds the key that should have signed a token, from its protected header. */
export type KeyResolver = JWTVerifyGetKey;

/** The only signature algorithms accepted: asymmetric, so holding a public key never lets anyone sign. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

/** The key source could not be consulted; the token may be fine. */
export class KeySourceUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeySourceUnavailableError';
  }
}

export interface RemoteKeyOptions {
  /** Abort a JWKS request after this long. */
  timeoutMs?: number;
  /** After a fetch, an unknown `kid` triggers a refetch only once this has passed (limits abuse). */
  cooldownMs?: number;
  /** Refetch the JWKS once it is this old, even when every `kid` is known (picks up revocations). */
  cacheMaxAgeMs?: number;
}

export const DEFAULT_REMOTE_KEY_OPTIONS: Required<RemoteKeyOptions> = {
  timeoutMs: 5_000,
  cooldownMs: 30_000,
  cacheMaxAgeMs: 10 * 60_000,
};

/**
 * Keys from a JWKS URL: fetched on first use, cached, refetched when stale or when a token names
 * an unknown `kid` (after the cooldown). When the URL fails but keys were fetched before, those
 * keys keep verifying tokens they match, so a short identity-provider outage does not lock out
 * every caller; anything else becomes a {@link KeySourceUnavailableError}.
 */
export function remoteKeyResolver(url: string, options: RemoteKeyOptions = {}): KeyResolver {
  const settings = { ...DEFAULT_REMOTE_KEY_OPTIONS, ...options };
  const remote = createRemoteJWKSet(new URL(url), {
    timeoutDuration: settings.timeoutMs,
    cooldownDuration: settings.cooldownMs,
    cacheMaxAge: settings.cacheMaxAgeMs,
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (!isKeySourceFailure(error)) throw error;
      const lastKnown = remote.jwks();
      if (lastKnown !== undefined) {
        try {
          return await createLocalJWKSet(lastKnown)(header, token);
        } catch (fallbackError) {
          // An unknown kid while the source is down may well be a new, legitimate key.
          if (!(fallbackError instanceof errors.JWKSNoMatchingKey)) throw fallbackError;
        }
      }
      throw new KeySourceUnavailableError(`JWKS ${url} is unavailable`, { cause: error });
    }
  };
}

/**
 * Failures of fetching or reading the key set, as opposed to a token naming a key or algorithm
 * the set does not have: network errors (not JOSE errors at all), timeouts, non-200 answers
 * and bodies that are not a usable JWKS.
 */
const KEY_SOURCE_FAILURE_CODES = new Set<string>(['ERR_JOSE_GENERIC', 'ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JWK_INVALID']);

function isKeySourceFailure(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return KEY_SOURCE_FAILURE_CODES.has(error.code);
}

/** Keys from a JWKS document held in memory (a file read at start, or the embedded key pair). */
export function localKeyResolver(jwks: JSONWebKeySet): KeyResolver {
  return createLocalJWKSet(jwks);
}

/**
 * Reads and checks a JWKS file once, at start, so a bad file stops the service with a clear
 * message instead of failing every request.
 */
export async function loadJwksFile(path: string, variable = 'AUTH_JWKS_FILE'): Promise<JSONWebKeySet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(variable, `${variable} "${path}" cannot be read`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(variable, `${variable} "${path}" is not valid JSON`, { cause });
  }
  const keys = isRecord(parsed) && Array.isArray(parsed.keys) ? parsed.keys : undefined;
  if (keys === undefined || !keys.every(isRecord)) {
    throw new ConfigError(variable, `${variable} "${path}" must be a JWKS: {"keys": [<public JWK>, ...]}`);
  }
  const jwks = { keys: keys as JWK[] };
  let usable = 0;
  for (const [index, jwk] of jwks.keys.entries()) {
    const label = `key ${typeof jwk.kid === 'string' ? `"${jwk.kid}"` : `#${index}`}`;
    if (jwk.kty === 'oct' || jwk.d !== undefined) {
      throw new ConfigError(variable, `${variable} "${path}": ${label} is private or symmetric; the file must hold public keys only`);
    }
    const algorithm = acceptedAlgorithmOf(jwk);
    if (algorithm === undefined) continue;
    try {
      await importJWK(jwk, algorithm);
    } catch (cause) {
      throw new ConfigError(variable, `${variable} "${path}": ${label} is not a valid ${algorithm} public key`, { cause });
    }
    usable += 1;
  }
  if (usable === 0) {
    throw new ConfigError(variable, `${variable} "${path}" holds no key usable with ${ACCEPTED_ALGORITHMS.join(', ')} (RSA, EC P-256 or Ed25519)`);
  }
  return jwks;
}

function acceptedAlgorithmOf(jwk: JWK): (typeof ACCEPTED_ALGORITHMS)[number] | undefined {
  if (jwk.alg !== undefined) return ACCEPTED_ALGORITHMS.find((algorithm) => algorithm === jwk.alg);
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
