import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { embeddedKeyPaths } from './embedded-keys';
import { tokenArguments, tokenCommand } from './token-command';

/** Set by the container image (Dockerfile), where there is no npm and no source tree. */
export const IMAGE_MARKER_VARIABLE = 'ACTIONS_CONTAINER_IMAGE';

const TOKEN_ARGUMENTS = tokenArguments('<instance-id>', 'IAM_OWNER');
/** The command that prints a token for the embedded key pair, in a source checkout. */
export const EMBEDDED_TOKEN_COMMAND = tokenCommand('<instance-id>', 'IAM_OWNER');

/** Where the service runs, for a token command that works there. */
export interface Runtime {
  /** Running in the service's container image. */
  inImage: boolean;
  /** The container's hostname: Docker's default is the container id, which `docker exec` takes. */
  hostname: string;
}

export function currentRuntime(env: NodeJS.ProcessEnv = process.env): Runtime {
  return { inImage: (env[IMAGE_MARKER_VARIABLE] ?? '') !== '', hostname: hostname() };
}

/**
 * Start-up lines telling an operator in embedded mode how to get a token; empty when an
 * external key source is configured. Paths only: no key material, no token.
 */
export function describeEmbeddedAuth(config: AppConfig, runtime: Runtime = { inImage: false, hostname: '' }): string[] {
  if (!config.auth.embeddedKeys) return [];
  const paths = embeddedKeyPaths(config.dataDir);
  const tokenArguments = TOKEN_ARGUMENTS;
  // In the image the command line is a built file and DATA_DIR is already the service's.
  const getToken = runtime.inImage
    ? `TOKEN=$(docker exec ${runtime.hostname} node dist/src/cli/main.js ${tokenArguments})   (Compose: docker compose exec service node dist/src/cli/main.js ${tokenArguments})`
    : `TOKEN=$(${config.dataDir === resolve('data') ? '' : `DATA_DIR=${shellQuote(config.dataDir)} `}${EMBEDDED_TOKEN_COMMAND})`;
  return [
    `Authentication: embedded key pair in ${paths.directory} (set AUTH_JWKS_URL or AUTH_JWKS_FILE to trust your identity provider instead)`,
    `  public keys (JWKS): ${paths.publicJwks}`,
    `  get a token:  ${getToken}`,
    `  use it:       curl -H "Authorization: Bearer $TOKEN" http://localhost:${config.port}/v3alpha/executions/methods`,
    `  or paste it:  http://localhost:${config.port}/console (the web console)`,
  ];
}

function shellQuote(value: string): string {
  return /^[\w./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
