import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository's root directory, found from this file whether it runs as TypeScript (tests)
 * or compiled under dist/ (benchmarks): the nearest directory above with a package.json.
 */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}`);
  }
}

/** The built service entry point (`node scripts/build.mjs` makes it). */
export function builtServiceEntry(): string {
  const entry = join(repoRoot(), 'dist', 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`node scripts/build.mjs\` first`);
  return entry;
}
