// Builds once before the test files run, so the console's browser and serving tests find its
// assets in dist/console (incremental: quick when nothing changed), and parallel workers never
// build the same folder at the same time.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = function buildBeforeTests() {
  const root = join(__dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--quiet'], { cwd: root, stdio: 'inherit' });
};
