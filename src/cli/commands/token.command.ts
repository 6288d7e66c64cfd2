import { existsSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { embeddedKeyPaths } from '../../auth/embedded-keys';
import { isPermission, ALL_PERMISSIONS } from '../../auth/permissions';
import { DEFAULT_ROLE_MAP, loadRoleMapFile } from '../../auth/role-map';
import { signEmbeddedToken } from '../../auth/sign-embedded-token';
import { loadConfig } from '../../config/load-config';
import { CliError, type CliIo } from '../cli-io';

interface TokenOptions {
  instance: string;
  role?: string[];
  permission?: string[];
  subject?: string;
  expiresIn?: number;
}

/**
 * `token`: prints a token signed with the embedded key pair in DATA_DIR, and nothing else on
 * stdout, so `TOKEN=$(npm run -s cli -- token ...)` works.
 */
export function registerTokenCommand(program: Command, io: CliIo): void {
  program
    .command('token')
    .description('Print a bearer token the service accepts in embedded-key mode (no AUTH_JWKS_URL / AUTH_JWKS_FILE)')
    .requiredOption('--instance <id>', 'instance (tenant) the token acts in')
    .option('--role <role>', 'role to grant, e.g. IAM_OWNER or IAM_OWNER_VIEWER (repeatable)', collect)
    .option('--permission <permission>', `permission to grant directly, e.g. execution.read (repeatable)`, collect)
    .option('--subject <subject>', 'subject (sub) recorded as the actor of changes (default: local-cli)')
    .option('--expires-in <seconds>', 'lifetime in seconds (default: 43200, 12 hours)', parsePositiveInteger)
    .action(async (options: TokenOptions) => {
      io.stdout(`${await issueToken(options, io)}\n`);
    });
}

async function issueToken(options: TokenOptions, io: CliIo): Promise<string> {
  if (options.instance.trim() === '') throw new CliError('--instance must not be empty');
  if (options.subject?.trim() === '') throw new CliError('--subject must not be empty');
  const config = loadConfig(io.env);
  if (!config.auth.embeddedKeys) {
    throw new CliError(
      'the service is configured with AUTH_JWKS_URL or AUTH_JWKS_FILE and would refuse tokens signed with its embedded key; get a token from that identity provider instead',
    );
  }
  requireServiceKeyPair(config.dataDir, io.env.DATA_DIR);
  const roles = options.role ?? [];
  const permissions = options.permission ?? [];
  const roleMap = config.auth.roleMapFile !== undefined ? await loadRoleMapFile(config.auth.roleMapFile) : DEFAULT_ROLE_MAP;
  for (const role of roles.filter((candidate) => !roleMap.has(candidate))) {
    io.stderr(`warning: role "${role}" grants no permissions (known roles: ${[...roleMap.keys()].join(', ')})\n`);
  }
  for (const permission of permissions.filter((candidate) => !isPermission(candidate))) {
    io.stderr(`warning: "${permission}" is not a permission the API checks (${ALL_PERMISSIONS.join(', ')})\n`);
  }
  if (roles.length === 0 && permissions.length === 0) {
    io.stderr('warning: the token grants no permissions; add --role IAM_OWNER or --permission <permission>\n');
  }
  return signEmbeddedToken(config.dataDir, {
    instanceId: options.instance,
    ...(roles.length > 0 && { roles }),
    ...(permissions.length > 0 && { permissions }),
    ...(options.subject !== undefined && { subject: options.subject }),
    ...(options.expiresIn !== undefined && { expiresInSeconds: options.expiresIn }),
  });
}

/**
 * The service makes the key pair on its first start. A command line that made one of its own
 * would sign tokens the service answers with 401 (unknown key), so a missing key pair is an
 * error that says where the command looked and how to point it at the service's DATA_DIR.
 */
function requireServiceKeyPair(dataDir: string, dataDirVariable: string | undefined): void {
  const paths = embeddedKeyPaths(dataDir);
  if (existsSync(paths.privateKey)) return;
  const source = dataDirVariable ? `DATA_DIR=${dataDirVariable}` : 'DATA_DIR unset, so ./data';
  throw new CliError(
    [
      `no embedded key pair in ${paths.directory} (${source})`,
      'The service creates it on its first start in its DATA_DIR. Start the service first, or run this command with',
      "the service's DATA_DIR, in the environment or in .env: DATA_DIR=/path/to/service/data npm run -s cli -- token ...",
    ].join('\n'),
  );
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parsePositiveInteger(value: string): number {
  const seconds = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new InvalidArgumentError('must be a positive integer number of seconds');
  return seconds;
}
