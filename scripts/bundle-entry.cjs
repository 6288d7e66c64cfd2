'use strict';
// The bundled service's entry: scripts/build.mjs copies it to dist/src/main.bundle.js, beside the
// bundle. It loads the bundle, and maps the frames of stack traces that fall in the service's own
// code back to the TypeScript sources through the bundle's map (which chains SWC's).
//
// Not Node's source maps (--enable-source-maps): those read the map and scan the whole bundle,
// 10 MB, on every start, which costs a tenth of the start-up that bundling saves. Here the map is
// read when the first stack trace is formatted, and only then.
const { readFileSync } = require('node:fs');
const { SourceMap } = require('node:module');
const { dirname, resolve } = require('node:path');

const bundle = resolve(__dirname, 'main.bundle.code.js');

/** @type {SourceMap | null | undefined} undefined until first needed, null if it cannot be read */
let sourceMap;

function bundleMap() {
  if (sourceMap === undefined) {
    try {
      sourceMap = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
    } catch {
      sourceMap = null;
    }
  }
  return sourceMap;
}

/** A frame as V8 writes it, its place in the bundle replaced by the TypeScript source's when the map has one. */
function frame(site) {
  const text = String(site);
  if (site.getFileName() !== bundle) return text;
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  const entry = bundleMap()?.findEntry(line - 1, column - 1);
  if (entry?.originalSource === undefined) return text;
  return text.replace(`${bundle}:${line}:${column}`, `${resolve(dirname(bundle), entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`);
}

// The format of V8's (and Node's) default: the error's string, then one "    at" line per frame.
Error.prepareStackTrace = (error, sites) => {
  let header;
  try {
    header = Error.prototype.toString.call(error);
  } catch {
    header = '<error>';
  }
  return sites.length === 0 ? header : `${header}\n    at ${sites.map(frame).join('\n    at ')}`;
};

require(bundle);
