import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { ConfigError } from '../config/config-error';

/**
 * The embedded quick start: without AUTH_JWKS_URL / AUTH_JWKS_FILE the service makes its own
 * Ed25519 key pair in DATA_DIR on first start, trusts exactly that key, and the CLI signs
 * tokens with it. The issuer and audience are fixed so the CLI (which reads no AUTH_* values)
 * and the service always agree.
 */
export const EMBEDDED_ISSUER = 'urn:actions-execution-service:embedded';
export const EMBEDDED_AUDIENCE = 'actions-execution-service';
export const EMBEDDED_ALGORITHM = 'EdDSA';

export interface EmbeddedKeyPaths {
  directory: string;
  /** Private JWK, mode 0600. */
  privateKey: string;
  /** Public JWKS, for operators who want other services to trust the same tokens. */
  publicJwks: string;
}

export function embeddedKeyPaths(dataDir: string): EmbeddedKeyPaths {
  const directory = join(dataDir, 'auth');
  return { directory, privateKey: join(directory, 'signing-key.private.jwk.json'), publicJwks: join(directory, 'jwks.json') };
}

export interface EmbeddedKeys {
  kid: string;
  privateKey: CryptoKey;
  jwks: JSONWebKeySet;
  paths: EmbeddedKeyPaths;
}

/** Loads the embedded key pair, creating it when missing. Safe when several processes start at once. */
export async function ensureEmbeddedKeys(dataDir: string): Promise<EmbeddedKeys> {
  const paths = embeddedKeyPaths(dataDir);
  await mkdir(paths.directory, { recursive: true, mode: 0o700 });
  const privateJwk = (await readPrivateJwk(paths.privateKey)) ?? (await createPrivateJwk(paths.privateKey));
  const publicJwk: JWK = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, kid: privateJwk.kid, alg: EMBEDDED_ALGORITHM, use: 'sig' };
  const jwks: JSONWebKeySet = { keys: [publicJwk] };
  await writePublicJwks(paths.publicJwks, jwks);
  const privateKey = await importJWK(privateJwk, EMBEDDED_ALGORITHM);
  if (!isCryptoKey(privateKey)) throw corruptKeyError(paths.privateKey);
  return { kid: privateJwk.kid as string, privateKey, jwks, paths };
}

async function readPrivateJwk(path: string): Promise<JWK | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
    throw new ConfigError('DATA_DIR', `The embedded signing key "${path}" cannot be read`, { cause: error });
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch (cause) {
    throw corruptKeyError(path, cause);
  }
  if (!isEd25519PrivateJwk(jwk)) throw corruptKeyError(path);
  return jwk;
}

/**
 * Writes a new key under a temporary name and hard-links it into place: the link fails if
 * another process won the race, and readers never see a half-written file.
 */
async function createPrivateJwk(path: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(EMBEDDED_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JWK);
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
    return jwk;
  } catch (error) {
    if (!(isErrnoException(error) && error.code === 'EEXIST')) throw error;
    const winner = await readPrivateJwk(path);
    if (winner === undefined) throw error;
    return winner;
  } finally {
    await rm(temporary, { force: true });
  }
}

async function writePublicJwks(path: string, jwks: JSONWebKeySet): Promise<void> {
  const text = `${JSON.stringify(jwks, null, 2)}\n`;
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === text) return;
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}

function isEd25519PrivateJwk(value: unknown): value is JWK {
  if (typeof value !== 'object' || value === null) return false;
  const jwk = value as Record<string, unknown>;
  return jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string' && typeof jwk.d === 'string' && typeof jwk.kid === 'string';
}

function isCryptoKey(key: CryptoKey | Uint8Array): key is CryptoKey {
  return !(key instanceof Uint8Array);
}

function corruptKeyError(path: string, cause?: unknown): ConfigError {
  return new ConfigError(
    'DATA_DIR',
    `The embedded signing key "${path}" is not an Ed25519 private JWK; delete it to generate a new key pair (tokens signed with the old key stop working)`,
    { cause },
  );
}

// Duck-typed: errors thrown by Node built-ins may come from another realm (test sandboxes).
function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return typeof error === 'object' && error !== null && 'code' in error;
}
