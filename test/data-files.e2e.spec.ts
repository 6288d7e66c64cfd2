import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { ApiClient } from './support/api';
import { startTestApp } from './support/test-app';

/** Every file and directory under `root` (itself included) with its permission bits. */
function modesUnder(root: string): Map<string, number> {
  const modes = new Map<string, number>([[root, statSync(root).mode & 0o777]]);
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    modes.set(path, statSync(path).mode & 0o777);
  }
  return modes;
}

describe('Data directory permissions', () => {
  let parent: string;
  let umask: number;

  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), 'actions-modes-'));
    // The usual umask lets everyone read new files; the service must not rely on a stricter one.
    umask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(umask);
    rmSync(parent, { recursive: true, force: true });
  });

  it('creates DATA_DIR, the SQLite files and the key files readable by the service user only', async () => {
    const dataDir = join(parent, 'nested', 'data');
    expect(loadConfig({ DATA_DIR: dataDir }).dataDir).toBe(dataDir);
    const testApp = await startTestApp('sqlite', { dataDir });
    try {
      const api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
      await api.newTarget('modes');
      expect((await api.listTargets()).status).toBe(200);
      const modes = modesUnder(dataDir);
      // The log, the read model, their WAL files and the key pair are all there.
      const names = [...modes.keys()].map((path) => path.slice(dataDir.length));
      expect(names).toEqual(expect.arrayContaining(['/events.db', '/events.db-wal', '/read-model.db', '/auth', '/auth/signing-key.private.jwk.json', '/auth/jwks.json']));
      const open = [...modes].filter(([, mode]) => (mode & 0o077) !== 0).map(([path, mode]) => `${path.slice(dataDir.length) || '/'} ${mode.toString(8)}`);
      expect(open).toEqual([]);
    } finally {
      await testApp.close();
    }
  });
});
