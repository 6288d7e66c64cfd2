// Preloaded (`node -r`) into a started process: appends to STARTUP_MARKS_FILE the time (epoch ms)
// at which its entry module, and so its whole static import graph, had finished loading, and how
// many modules that was. Nothing else changes in the process.
import { appendFileSync } from 'node:fs';
import Module from 'node:module';
import { isMainThread } from 'node:worker_threads';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const load = loader._load;
const file = process.env.STARTUP_MARKS_FILE;

if (file && isMainThread) {
  loader._load = function (this: unknown, request, parent, isMain) {
    if (!isMain) return load.call(this, request, parent, isMain);
    loader._load = load;
    try {
      return load.call(this, request, parent, isMain);
    } finally {
      appendFileSync(file, `${JSON.stringify({ modulesLoadedAt: performance.timeOrigin + performance.now(), modules: Object.keys(require.cache).length })}\n`);
    }
  };
}
