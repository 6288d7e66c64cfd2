import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const script = join(root, 'scripts', 'proto.mjs');

async function filesUnder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), await readFile(path, 'utf8'));
  }
  return files;
}

// The generated code is committed (a fresh checkout needs no generation step), so it must be
// exactly what the protos generate, and the protos must pass buf lint.
describe('protos', () => {
  it('pass buf lint', async () => {
    await expect(run(process.execPath, [script, 'lint'], { cwd: root })).resolves.toBeDefined();
  });

  it('match the committed generated code', async () => {
    const out = await mkdtemp(join(tmpdir(), 'proto-gen-'));
    try {
      await run(process.execPath, [script, 'generate', '--out', out], { cwd: root });
      const generated = await filesUnder(join(out, 'src/grpc/gen'));
      const committed = await filesUnder(join(root, 'src/grpc/gen'));
      expect([...committed.keys()].sort()).toEqual([...generated.keys()].sort());
      for (const [file, text] of generated) expect({ file, text }).toEqual({ file, text: committed.get(file) });
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    // A full generation of every proto takes tens of seconds on a loaded machine.
  }, 120_000);
});
