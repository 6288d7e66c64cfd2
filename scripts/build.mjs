#!/usr/bin/env node
// Transpiles src/, libs/ and bench/ to dist/ with SWC (type checking is `npm run typecheck`),
// then bundles the web console (console/) into dist/console with Vite.
// Incremental: a file is only re-emitted when its source is newer than its output, so
// `npm start` and `npm run cli` stay fast after the first build.
import { transformFile } from '@swc/core';
import { mkdir, readdir, readFile, stat, writeFile, copyFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist');
const roots = ['src', 'libs', 'bench'];
const quiet = process.argv.includes('--quiet');
const assetExtensions = ['.json', '.proto'];

async function* walk(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

const isSource = (file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !/\.(spec|test)\.ts$/.test(file);
const isAsset = (file) => assetExtensions.some((ext) => file.endsWith(ext)) && !file.includes(`${join('bench', 'results')}`);

async function mtime(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return -1;
  }
}

const swcOptions = {
  swcrc: false,
  sourceMaps: true,
  module: { type: 'commonjs', strictMode: true },
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
    baseUrl: root,
    paths: {
      '@app/event-store': ['libs/event-store/src'],
      '@app/event-store/*': ['libs/event-store/src/*'],
      '@app/eventsourcing': ['libs/eventsourcing/src'],
      '@app/eventsourcing/*': ['libs/eventsourcing/src/*'],
    },
  },
};

const started = Date.now();
let emitted = 0;
const expected = new Set();
for (const top of roots) {
  for await (const file of walk(join(root, top))) {
    const rel = relative(root, file);
    if (isSource(file)) {
      const target = join(outDir, rel.replace(/\.ts$/, '.js'));
      expected.add(target).add(`${target}.map`);
      if ((await mtime(target)) >= (await mtime(file))) continue;
      const output = await transformFile(file, { ...swcOptions, filename: file, sourceFileName: relative(dirname(target), file) });
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, `${output.code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
      if (output.map) await writeFile(`${target}.map`, output.map);
      emitted += 1;
    } else if (isAsset(file)) {
      const target = join(outDir, rel);
      expected.add(target);
      if ((await mtime(target)) >= (await mtime(file))) continue;
      await mkdir(dirname(target), { recursive: true });
      await copyFile(file, target);
      emitted += 1;
    }
  }
}
// Drop outputs whose source was deleted or renamed, so stale modules never load.
for (const top of roots) {
  for await (const file of walk(join(outDir, top))) {
    if (!expected.has(file)) await rm(file);
  }
}
if (!quiet) console.log(`build: ${emitted} file(s) emitted to dist/ in ${Date.now() - started} ms`);

// The console is rebuilt only when one of its sources, or a file of src/ they import, is newer than its built page.
const consoleRoot = join(root, 'console');
const consolePage = join(outDir, 'console', 'index.html');
let consoleNewest = -1;
for await (const file of walk(consoleRoot)) {
  if (file.endsWith('README.md')) continue;
  consoleNewest = Math.max(consoleNewest, await mtime(file));
  if (!/\.tsx?$/.test(file)) continue;
  for (const [, imported] of (await readFile(file, 'utf8')).matchAll(/from '((?:\.\.\/)+src\/[^']+)'/g)) {
    consoleNewest = Math.max(consoleNewest, await mtime(`${resolve(dirname(file), imported)}.ts`));
  }
}
if (consoleNewest >= 0 && consoleNewest >= (await mtime(consolePage))) {
  const consoleStarted = Date.now();
  // The service ships this bundle: React's production build, also when the build runs under Jest (NODE_ENV=test).
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({ configFile: join(consoleRoot, 'vite.config.mts'), logLevel: quiet ? 'error' : 'warn' });
  if (!quiet) console.log(`build: console bundled to dist/console in ${Date.now() - consoleStarted} ms`);
}
