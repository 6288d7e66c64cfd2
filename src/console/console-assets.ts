import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The folder the console's built assets live in: `dist/console` of the package root. The root
 * is the nearest folder with a package.json, so the same code finds it from `src/` (tests) and
 * from `dist/src/` (the built service).
 */
export function consoleAssetsDir(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return join(from, 'console-assets-not-found');
    dir = parent;
  }
  return join(dir, 'dist', 'console');
}
