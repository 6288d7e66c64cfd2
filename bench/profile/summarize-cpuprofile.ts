/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function, self time by
 * package, and inclusive time of the functions whose name matches a pattern. Only samples
 * inside the busiest stretch count when `--busy` is given, so start-up and idle tails do not
 * dilute the figures.
 *
 *   node dist/bench/profile/summarize-cpuprofile.js <file.cpuprofile> [--top 40] [--busy] [--inclusive regex] [--callers regex]
 *
 * `--callers` shows, for the self time of functions matching the pattern, the call paths that
 * led there (the nearest 6 frames), to tell for instance the socket writes of responses from
 * those of the logger.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  parent?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface Options {
  file: string;
  top: number;
  busyOnly: boolean;
  inclusive?: RegExp;
  callers?: RegExp;
}

const CALLER_DEPTH = 6;

const IDLE = new Set(['(idle)', '(program)']);

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { file: '', top: 40, busyOnly: false };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--top') options.top = Number(argv[(index += 1)]);
    else if (arg === '--busy') options.busyOnly = true;
    else if (arg === '--inclusive') options.inclusive = new RegExp(argv[(index += 1)]);
    else if (arg === '--callers') options.callers = new RegExp(argv[(index += 1)]);
    else options.file = arg;
  }
  if (!options.file) throw new Error('usage: summarize-cpuprofile <file.cpuprofile> [--top N] [--busy] [--inclusive regex] [--callers regex]');
  return options;
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '~/').replace(/.*\/dist\//, 'dist/');
}

function frameLabel(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

function packageOf(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  const dependency = /^~\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1];
  const own = /^dist\/((src|libs|bench)\/[^/]+(\/src\/adapters\/[^/]+|\/src\/[^/]+)?)/.exec(url);
  if (own) return own[1];
  if (url.startsWith('node:')) return 'node internals';
  return frame.functionName.startsWith('(') ? frame.functionName : 'native';
}

/** Sample indexes of the longest stretch in which fewer than half of each 200 ms was idle. */
function busyWindow(profile: CpuProfile, nodes: Map<number, ProfileNode>): [number, number] {
  const bucketUs = 200_000;
  const buckets: { idle: number; total: number; first: number; last: number }[] = [];
  let time = 0;
  profile.samples.forEach((id, index) => {
    time += profile.timeDeltas[index] ?? 0;
    const slot = Math.floor(time / bucketUs);
    buckets[slot] ??= { idle: 0, total: 0, first: index, last: index };
    const bucket = buckets[slot];
    bucket.total += 1;
    bucket.last = index;
    if (IDLE.has(nodes.get(id)?.callFrame.functionName ?? '')) bucket.idle += 1;
  });
  let best: [number, number] = [0, profile.samples.length - 1];
  let bestLength = 0;
  let start = -1;
  buckets.forEach((bucket, slot) => {
    const busy = bucket !== undefined && bucket.idle * 2 < bucket.total;
    if (busy && start < 0) start = slot;
    if ((!busy || slot === buckets.length - 1) && start >= 0) {
      const end = busy ? slot : slot - 1;
      if (end - start + 1 > bestLength) {
        bestLength = end - start + 1;
        best = [buckets[start].first, buckets[end].last];
      }
      start = -1;
    }
  });
  return best;
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const profile = JSON.parse(readFileSync(options.file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const [first, last] = options.busyOnly ? busyWindow(profile, nodes) : [0, profile.samples.length - 1];

  const self = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const callPaths = new Map<string, number>();
  let total = 0;
  let windowUs = 0;
  for (let index = first; index <= last; index += 1) {
    const delta = profile.timeDeltas[index] ?? 0;
    windowUs += delta;
    const node = nodes.get(profile.samples[index]);
    if (!node || IDLE.has(node.callFrame.functionName)) continue;
    total += delta;
    const label = frameLabel(node.callFrame);
    self.set(label, (self.get(label) ?? 0) + delta);
    const pkg = packageOf(node.callFrame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + delta);
    if (options.callers?.test(label)) {
      const path: string[] = [];
      for (let id = parents.get(node.id); id !== undefined && path.length < CALLER_DEPTH; id = parents.get(id)) {
        const frame = nodes.get(id)!.callFrame;
        if (frame.functionName !== '(root)') path.push(frameLabel(frame));
      }
      const key = `${label} <- ${path.join(' <- ')}`;
      callPaths.set(key, (callPaths.get(key) ?? 0) + delta);
    }
    if (options.inclusive) {
      const seen = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parents.get(id)) {
        const frame = nodes.get(id)!.callFrame;
        const frameName = frameLabel(frame);
        if (!options.inclusive.test(frameName) || seen.has(frameName)) continue;
        seen.add(frameName);
        inclusive.set(frameName, (inclusive.get(frameName) ?? 0) + delta);
      }
    }
  }

  const percent = (value: number): string => `${((100 * value) / Math.max(1, total)).toFixed(1).padStart(5)}%`;
  const print = (title: string, entries: Map<string, number>, top: number): void => {
    console.log(`\n${title}`);
    for (const [label, value] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${percent(value)}  ${label}`);
  };
  console.log(
    `${options.file}: ${(windowUs / 1e6).toFixed(1)} s ${options.busyOnly ? 'busy window' : 'in total'}, ${(total / 1e6).toFixed(1)} s on CPU (${((100 * total) / Math.max(1, windowUs)).toFixed(0)}%); percentages are of CPU time`,
  );
  print('self time by function', self, options.top);
  print('self time by package', byPackage, 25);
  if (options.inclusive) print(`inclusive time of functions matching ${options.inclusive}`, inclusive, options.top);
  if (options.callers) print(`call paths of the self time of functions matching ${options.callers}`, callPaths, options.top);
}

main();
