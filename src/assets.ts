import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The one place that knows where the service's files other than its code are: everything else
 * asks here instead of looking next to its own module, because in the bundled build every
 * module's `__dirname` is the bundle's folder.
 *
 * This module sits at the top of `src/`, so its folder is the root of the tree the service runs
 * from: `src/` as TypeScript (Jest), `dist/src/` built file by file, and `dist/src/` again in the
 * bundle, which scripts/build.mjs writes to that folder for this reason.
 */
const SOURCE_ROOT = __dirname;

/** A file kept beside the sources (the build copies it to dist/src), by its path under src/. */
export function sourceAsset(path: string): string {
  return join(SOURCE_ROOT, path);
}

/**
 * The folder the console's built assets live in: `dist/console` of the package root, the
 * nearest folder above the source tree with a package.json (the repository, or the image's /app).
 */
export function consoleAssetsDir(): string {
  for (let dir = SOURCE_ROOT; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'console');
    if (dirname(dir) === dir) return join(SOURCE_ROOT, 'console-assets-not-found');
  }
}
