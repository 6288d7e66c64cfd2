import type { AppConfig } from '../config/app-config';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, ensureEmbeddedKeys } from './embedded-keys';
import { loadJwksFile, localKeyResolver, remoteKeyResolver, type RemoteKeyOptions } from './key-sources';
import { DEFAULT_ROLE_MAP, loadRoleMapFile } from './role-map';
import { TokenVerifier } from './token-verifier';

/**
 * In embedded mode a token of another key pair almost always comes from a command line that
 * used another DATA_DIR than the service; the message says so without naming server paths.
 */
export const EMBEDDED_UNKNOWN_KEY_MESSAGE =
  "Token is signed by an unknown key; this service trusts only its embedded key pair: get a token with the command line run with the service's DATA_DIR";

export interface TokenVerifierTuning {
  remoteKeys?: RemoteKeyOptions;
  clockToleranceSeconds?: number;
}

/**
 * Builds the verifier the configuration asks for: keys from AUTH_JWKS_URL, AUTH_JWKS_FILE, or
 * the embedded key pair in DATA_DIR (created on first start). Files are read now, so a bad one
 * fails start-up with a ConfigError naming its variable.
 */
export async function createTokenVerifier(config: AppConfig, tuning: TokenVerifierTuning = {}): Promise<TokenVerifier> {
  const { auth } = config;
  const roleMap = auth.roleMapFile !== undefined ? await loadRoleMapFile(auth.roleMapFile) : DEFAULT_ROLE_MAP;
  const common = {
    roleMap,
    ...(tuning.clockToleranceSeconds !== undefined && { clockToleranceSeconds: tuning.clockToleranceSeconds }),
  };
  if (auth.jwksUrl !== undefined) {
    return new TokenVerifier({ ...common, keys: remoteKeyResolver(auth.jwksUrl, tuning.remoteKeys), ...issuerAndAudience(auth) });
  }
  if (auth.jwksFile !== undefined) {
    return new TokenVerifier({ ...common, keys: localKeyResolver(await loadJwksFile(auth.jwksFile)), ...issuerAndAudience(auth) });
  }
  const embedded = await ensureEmbeddedKeys(config.dataDir);
  return new TokenVerifier({
    ...common,
    keys: localKeyResolver(embedded.jwks),
    issuer: EMBEDDED_ISSUER,
    audience: EMBEDDED_AUDIENCE,
    unknownKeyMessage: EMBEDDED_UNKNOWN_KEY_MESSAGE,
  });
}

function issuerAndAudience(auth: AppConfig['auth']): { issuer?: string; audience?: string } {
  return {
    ...(auth.issuer !== undefined && { issuer: auth.issuer }),
    ...(auth.audience !== undefined && { audience: auth.audience }),
  };
}
