import { resolve } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { embeddedKeyPaths } from './embedded-keys';

/**
 * Start-up lines telling an operator in embedded mode how to get a token; empty when an
 * external key source is configured. Paths only: no key material, no token.
 */
export function describeEmbeddedAuth(config: AppConfig): string[] {
  if (!config.auth.embeddedKeys) return [];
  const paths = embeddedKeyPaths(config.dataDir);
  const dataDirPrefix = config.dataDir === resolve('data') ? '' : `DATA_DIR=${shellQuote(config.dataDir)} `;
  return [
    `Authentication: embedded key pair in ${paths.directory} (set AUTH_JWKS_URL or AUTH_JWKS_FILE to trust your identity provider instead)`,
    `  public keys (JWKS): ${paths.publicJwks}`,
    `  get a token:  TOKEN=$(${dataDirPrefix}npm run -s cli -- token --instance <instance-id> --role IAM_OWNER)`,
    `  use it:       curl -H "Authorization: Bearer $TOKEN" http://localhost:${config.port}/v3alpha/executions/methods`,
    `  or paste it:  http://localhost:${config.port}/console (the web console)`,
  ];
}

function shellQuote(value: string): string {
  return /^[\w./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
