import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../config/config-error';

/** Where the generated key lives when ENCRYPTION_KEY_FILE is not set. */
export const generatedKeyPath = (dataDir: string): string => join(dataDir, 'secrets', 'encryption.key');

/**
 * The 32-byte key that seals secrets in events. A configured file holds it as 64 hex digits or
 * as base64 (surrounding whitespace ignored). Without one, the key is generated on first start
 * into DATA_DIR (mode 0600), race-safe across processes like the embedded token key. Replicas
 * that share a log must share this key: set ENCRYPTION_KEY_FILE for them.
 */
export async function loadEncryptionKey(options: { keyFile?: string; dataDir: string }): Promise<Buffer> {
  if (options.keyFile !== undefined) {
    const text = await readFile(options.keyFile, 'utf8').catch((cause: unknown) => {
      throw new ConfigError('ENCRYPTION_KEY_FILE', `ENCRYPTION_KEY_FILE "${options.keyFile}" cannot be read`, { cause });
    });
    return parseKey(text, 'ENCRYPTION_KEY_FILE', `ENCRYPTION_KEY_FILE "${options.keyFile}"`);
  }
  const path = generatedKeyPath(options.dataDir);
  return (await readGenerated(path)) ?? (await createGenerated(path));
}

function parseKey(text: string, variable: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(trimmed) && !/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed))) {
    throw new ConfigError(variable, `${source} must hold a 32-byte key as 64 hex digits or base64 (e.g. \`openssl rand -hex 32\`)`);
  }
  return key;
}

async function readGenerated(path: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return undefined;
    throw new ConfigError('DATA_DIR', `The encryption key "${path}" cannot be read`, { cause: error });
  }
  return parseKey(text, 'DATA_DIR', `The encryption key "${path}"`);
}

/** Written under a temporary name and hard-linked into place: the first process wins, readers never see half a file. */
async function createGenerated(path: string): Promise<Buffer> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
    return key;
  } catch (error) {
    if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'EEXIST')) throw error;
    const winner = await readGenerated(path);
    if (winner === undefined) throw error;
    return winner;
  } finally {
    await rm(temporary, { force: true });
  }
}
