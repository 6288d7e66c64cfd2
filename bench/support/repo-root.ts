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

/** The built service entry point, file by file (`node scripts/build.mjs` makes it). */
export function builtServiceEntry(): string {
  return built(join('dist', 'src', 'main.js'));
}

/** The bundled service, what `npm start` and the image run (`node scripts/build.mjs` makes it). */
export function bundledServiceEntry(): string {
  return built(BUNDLED_SERVICE_ENTRY);
}

/** The bundle's entry under the repository root, as package.json's start script and the Dockerfile name it. */
export const BUNDLED_SERVICE_ENTRY = 'dist/src/main.bundle.js';

function built(path: string): string {
  const entry = join(repoRoot(), path);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`node scripts/build.mjs\` first`);
  return entry;
}
