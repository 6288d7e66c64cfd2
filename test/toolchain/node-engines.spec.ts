import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minVersion, satisfies } from 'semver';
import { repoRoot } from '../../bench/support/repo-root';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

const root = repoRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };

/** The oldest Node.js the README and package.json promise: every locked package must accept it. */
const promised = minVersion(manifest.engines.node)!.version;

describe('the Node.js version the README promises', () => {
  it('is the one package.json declares', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const [major, minor] = promised.split('.');
    expect(readme).toContain(`Node.js ${major}.${minor} or newer`);
  });

  it('is accepted by every package of the lock file (no EBADENGINE on npm install)', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .flatMap(([path, pkg]) => {
        const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
        return range === undefined || satisfies(promised, range) ? [] : [`${path.replace(/^.*node_modules\//, '')}@${pkg.version} wants node ${range}`];
      });
    expect(refusing).toEqual([]);
  });
});
