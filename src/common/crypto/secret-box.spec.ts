import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../config/config-error';
import { generatedKeyPath, loadEncryptionKey } from './encryption-key';
import { SecretBox, SecretDecryptionError } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and the sealed form does not contain the secret', () => {
    const sealed = box.seal('the-signing-key');
    expect(JSON.stringify(sealed)).not.toContain('the-signing-key');
    expect(box.open(sealed)).toBe('the-signing-key');
    expect(box.seal('the-signing-key').iv).not.toBe(sealed.iv);
  });

  it('refuses a secret sealed with another key or altered', () => {
    const sealed = box.seal('secret');
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(SecretDecryptionError);
    const flipped = Buffer.from(sealed.ct, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open({ ...sealed, ct: flipped.toString('base64url') })).toThrow(SecretDecryptionError);
  });
});

describe('loadEncryptionKey', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'enc-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates one key into DATA_DIR with mode 0600 and reuses it, also when processes race', async () => {
    const keys = await Promise.all([loadEncryptionKey({ dataDir: dir }), loadEncryptionKey({ dataDir: dir })]);
    expect(keys[0]!.equals(keys[1]!)).toBe(true);
    expect((await loadEncryptionKey({ dataDir: dir })).equals(keys[0]!)).toBe(true);
    expect(statSync(generatedKeyPath(dir)).mode & 0o777).toBe(0o600);
    expect(readFileSync(generatedKeyPath(dir), 'utf8').trim()).toBe(keys[0]!.toString('hex'));
  });

  it('reads a configured key as hex or base64 and refuses anything else', async () => {
    const key = randomBytes(32);
    const file = join(dir, 'key');
    writeFileSync(file, `${key.toString('hex')}\n`);
    expect((await loadEncryptionKey({ dataDir: dir, keyFile: file })).equals(key)).toBe(true);
    writeFileSync(file, key.toString('base64'));
    expect((await loadEncryptionKey({ dataDir: dir, keyFile: file })).equals(key)).toBe(true);
    writeFileSync(file, 'too short');
    await expect(loadEncryptionKey({ dataDir: dir, keyFile: file })).rejects.toThrow(ConfigError);
  });
});
