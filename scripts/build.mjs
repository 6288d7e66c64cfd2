#!/usr/bin/env node
// Transpiles src/, libs/ and bench/ to dist/ with SWC (type checking is `npm run typecheck`),
// bundles the service into one file with rolldown (what `npm start` and the image run), then
// bundles the web console (console/) into dist/console with Vite.
// Incremental: a file is only re-emitted when its source is newer than its output, and each
// bundle only rebuilt when one of its inputs changed, so `npm start` and `npm run cli` stay fast
// after the first build.
import { transformFile } from '@swc/core';
import { mkdir, readdir, readFile, stat, writeFile, copyFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
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

/**
 * The service in one file: start-up is mostly Node resolving and reading ~1,450 modules, which
 * one file removes (bench/results/startup-2026-12-03.md). Written to dist/src/ because the
 * service finds its other files from its source tree's root, src/assets.ts's folder, which in a
 * bundle is the bundle's. `entry` (scripts/bundle-entry.cjs) loads `code` and maps stack traces
 * back to the TypeScript sources through `map`, which chains SWC's maps (rolldown does not read
 * its inputs' maps itself). dist/src/main.js stays, for the CLI and the tests that start the
 * service file by file.
 */
const SERVICE_BUNDLE = {
  entry: join(outDir, 'src', 'main.bundle.js'),
  code: join(outDir, 'src', 'main.bundle.code.js'),
  map: join(outDir, 'src', 'main.bundle.code.js.map'),
};

/**
 * Not bundled, loaded from node_modules at run time: native addons and packages that find
 * files of their own next to their code (better-sqlite3's addon, Swagger UI's assets, the
 * EventStoreDB client's .proto files; that client is loaded only for its store anyway), and
 * pg's optional native binding. Optional packages that are not installed stay run-time
 * requires too (see onLog), failing as they would unbundled.
 */
const BUNDLE_EXTERNAL = ['better-sqlite3', 'swagger-ui-dist', '@eventstore/db-client', 'pg-native'];

/**
 * What rolldown may warn about and the bundle still behaves as the files do: an import of a
 * package that is not installed (Nest's optional microservices and websockets, required in a
 * try), and `import.meta` in @nestjs/terminus's check for the database health indicators'
 * packages, which the service does not use. Anything else fails the build.
 */
function acceptedBundleWarning(log) {
  if (log.code === 'UNRESOLVED_IMPORT') return typeof log.exporter === 'string' && !/^[./]/.test(log.exporter);
  if (log.code === 'EMPTY_IMPORT_META') return log.id?.endsWith('/node_modules/@nestjs/terminus/dist/utils/checkPackage.util.js') === true;
  return false;
}

async function bundleService() {
  const { rolldown } = await import('rolldown');
  const serviceOutputs = [join(outDir, 'src'), join(outDir, 'libs')].map((dir) => `${dir}${sep}`);
  const refused = [];
  const bundle = await rolldown({
    input: join(outDir, 'src', 'main.js'),
    platform: 'node',
    external: (id) => BUNDLE_EXTERNAL.some((name) => id === name || id.startsWith(`${name}/`)),
    onLog(level, log) {
      if (level === 'warn' && !acceptedBundleWarning(log)) refused.push(log.message);
    },
    plugins: [
      {
        // SWC's output with its map, so the bundle's map leads back to the TypeScript.
        name: 'swc-source-maps',
        async load(id) {
          if (!serviceOutputs.some((dir) => id.startsWith(dir)) || !id.endsWith('.js')) return null;
          const [code, map] = await Promise.all([readFile(id, 'utf8'), readFile(`${id}.map`, 'utf8').catch(() => undefined)]);
          return map === undefined ? code : { code, map };
        },
      },
    ],
  });
  try {
    if (refused.length > 0) throw new Error(`build: the service bundle needs a look:\n${refused.join('\n')}`);
    // Names kept: Nest and TypeORM read class names (entity and provider names, messages), which
    // a bundle would otherwise rename where two modules' names collide.
    await bundle.write({ file: SERVICE_BUNDLE.code, format: 'cjs', codeSplitting: false, keepNames: true, sourcemap: true, sourcemapExcludeSources: true });
  } finally {
    await bundle.close();
  }
  const map = JSON.parse(await readFile(SERVICE_BUNDLE.map, 'utf8'));
  await writeFile(SERVICE_BUNDLE.map, JSON.stringify(ownSourcesOnly(map, (source) => !source.split(/[\\/]/).includes('node_modules'))));
  await copyFile(join(root, 'scripts', 'bundle-entry.cjs'), SERVICE_BUNDLE.entry);
}

const VLQ_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VLQ_VALUES = new Map([...VLQ_DIGITS].map((digit, value) => [digit, value]));

/** The fields of one segment of a source map's `mappings` (relative values, as written). */
function decodeSegment(text) {
  const fields = [];
  let value = 0;
  let shift = 0;
  for (const digit of text) {
    const bits = VLQ_VALUES.get(digit);
    value += (bits & 31) << shift;
    if (bits & 32) {
      shift += 5;
      continue;
    }
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return fields;
}

function encodeSegment(fields) {
  let text = '';
  for (const field of fields) {
    let value = field < 0 ? (-field << 1) | 1 : field << 1;
    do {
      const bits = value & 31;
      value >>>= 5;
      text += VLQ_DIGITS[value > 0 ? bits | 32 : bits];
    } while (value > 0);
  }
  return text;
}

/**
 * The bundle's map with the mappings into the service's own sources only. Node decodes a map
 * whole, on the first stack trace it formats: with every dependency's mappings that is ~100 MB
 * of heap and half a second, and reading it slows every start. Where a dependency's code begins,
 * a segment without a source ends the previous file's mapping, so a dependency's frames show the
 * bundle's own line and column (its `//#region` comments name the package) instead of a wrong
 * TypeScript line; so does the bundle's glue code between modules.
 */
function ownSourcesOnly(map, isOwn) {
  const sources = [];
  const names = [];
  const sourceIndex = new Map();
  const nameIndex = new Map();
  const kept = map.sources.map((source, index) => {
    if (!isOwn(source)) return undefined;
    sourceIndex.set(index, sources.push(source) - 1);
    return index;
  });
  // Running values, as the format keeps them: read from the input, written to the output.
  const read = { source: 0, line: 0, column: 0, name: 0 };
  const written = { source: 0, line: 0, column: 0, name: 0 };
  let inOwn = false;
  const lines = map.mappings.split(';').map((line) => {
    let generatedColumn = 0;
    let writtenColumn = 0;
    const ownBefore = inOwn;
    let ownHere = false;
    const out = [];
    for (const segment of line === '' ? [] : line.split(',')) {
      const [column, source, originalLine, originalColumn, name] = decodeSegment(segment);
      generatedColumn += column;
      if (source === undefined) continue;
      read.source += source;
      read.line += originalLine;
      read.column += originalColumn;
      if (name !== undefined) read.name += name;
      const own = kept[read.source] !== undefined;
      if (!own) {
        if (inOwn) out.push(encodeSegment([generatedColumn - writtenColumn]));
        if (inOwn) writtenColumn = generatedColumn;
        inOwn = false;
        continue;
      }
      inOwn = true;
      ownHere = true;
      const fields = [generatedColumn - writtenColumn, sourceIndex.get(read.source) - written.source, read.line - written.line, read.column - written.column];
      writtenColumn = generatedColumn;
      written.source = sourceIndex.get(read.source);
      written.line = read.line;
      written.column = read.column;
      if (name !== undefined) {
        if (!nameIndex.has(read.name)) nameIndex.set(read.name, names.push(map.names[read.name]) - 1);
        fields.push(nameIndex.get(read.name) - written.name);
        written.name = nameIndex.get(read.name);
      }
      out.push(encodeSegment(fields));
    }
    // A line after own code with none of its own (the bundle's glue between modules, or a
    // dependency's first line): unmapped from its start.
    if (ownBefore && !ownHere) {
      inOwn = false;
      return encodeSegment([0]);
    }
    return out.join(',');
  });
  return { ...map, sources, names, mappings: lines.join(';') };
}

const started = Date.now();
let emitted = 0;
const expected = new Set();
// The newest output the service bundle may be made of (below): any output of src/ and libs/.
let newestServiceOutput = -1;
for (const top of roots) {
  for await (const file of walk(join(root, top))) {
    const rel = relative(root, file);
    if (isSource(file)) {
      const target = join(outDir, rel.replace(/\.ts$/, '.js'));
      expected.add(target).add(`${target}.map`);
      const built = await mtime(target);
      if (top !== 'bench') newestServiceOutput = Math.max(newestServiceOutput, built);
      if (built >= (await mtime(file))) continue;
      const output = await transformFile(file, { ...swcOptions, filename: file, sourceFileName: relative(dirname(target), file) });
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, `${output.code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
      if (output.map) await writeFile(`${target}.map`, output.map);
      if (top !== 'bench') newestServiceOutput = Date.now();
      emitted += 1;
    } else if (isAsset(file)) {
      const target = join(outDir, rel);
      expected.add(target);
      const copied = await mtime(target);
      if (top !== 'bench') newestServiceOutput = Math.max(newestServiceOutput, copied);
      if (copied >= (await mtime(file))) continue;
      await mkdir(dirname(target), { recursive: true });
      await copyFile(file, target);
      if (top !== 'bench') newestServiceOutput = Date.now();
      emitted += 1;
    }
  }
}
for (const file of Object.values(SERVICE_BUNDLE)) expected.add(file);
// Drop outputs whose source was deleted or renamed, so stale modules never load (nor stay in the bundle).
for (const top of roots) {
  for await (const file of walk(join(outDir, top))) {
    if (expected.has(file)) continue;
    await rm(file);
    if (top !== 'bench') newestServiceOutput = Date.now();
  }
}
if (!quiet) console.log(`build: ${emitted} file(s) emitted to dist/ in ${Date.now() - started} ms`);

const bundleInputs = [
  newestServiceOutput,
  await mtime(fileURLToPath(import.meta.url)),
  await mtime(join(root, 'scripts', 'bundle-entry.cjs')),
  await mtime(join(root, 'package-lock.json')),
  await mtime(join(root, 'node_modules', '.package-lock.json')),
];
if (Math.max(...bundleInputs) >= (await mtime(SERVICE_BUNDLE.code))) {
  const bundleStarted = Date.now();
  await bundleService();
  if (!quiet) console.log(`build: service bundled to ${relative(root, SERVICE_BUNDLE.entry)} in ${Date.now() - bundleStarted} ms`);
}

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
