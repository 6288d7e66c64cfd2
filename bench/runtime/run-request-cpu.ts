/**
 * CPU of what a RunRequest that matches no execution does of its own over REST, in one thread:
 * reading the JSON body, decoding and validating it, the run (an index without executions) and
 * writing the answer, for the benchmark's small body and a host-like one (8 headers, a larger
 * request). Thread CPU time, so the figure holds on a busy machine where end-to-end ones do not.
 *
 *   node scripts/build.mjs --quiet && node dist/bench/runtime/run-request-cpu.js [other checkout]...
 *
 * Each argument is the root of another checkout with a build (`dist/`), an older commit's for
 * A/B; the builds are measured in turn, twice, in alternating order.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { repoRoot } from '../support/repo-root';

const CALLS = 10_000;
const ROUNDS = 7;

const load = createRequire(__filename);

type Message = Record<string, unknown>;

interface Build {
  root: string;
  once(text: string): Promise<string>;
}

/** The REST path of RunRequest as the build at `root` has it, its modules loaded from its dist/. */
function buildAt(root: string): Build {
  const module = <T>(path: string): T => load(join(root, 'dist', 'src', path)) as T;
  const { readJsonBody } = module<{ readJsonBody(request: Readable & { headers: object; body?: unknown }): Promise<void> }>('api/rest/json-body');
  const { decodeRestRequest } = module<{ decodeRestRequest(method: unknown, parts: { body: unknown }): Message }>('api/rest/rest-decoder');
  const { toRestJson } = module<{ toRestJson(schema: unknown, message: object): object }>('api/rest/rest-json');
  const { RuntimeService, RunRequestResponseSchema } = module<{ RuntimeService: { method: { runRequest: unknown } }; RunRequestResponseSchema: unknown }>(
    'grpc/gen/actions/runtime/v1/runtime_service_pb',
  );
  const { RunService } = module<{ RunService: new (index: object, caller: object) => object }>('runtime/run/run-service');
  const { RuntimeV1Service } = module<{ RuntimeV1Service: new (runs: object, publisher: object) => { runRequest(caller: object, message: Message): Promise<object> } }>(
    'api/runtime-v1/runtime-service',
  );
  const service = new RuntimeV1Service(new RunService({ resolve: () => Promise.resolve([]) }, {}), {});
  const caller = { instanceId: 'bench', subject: 'host' };
  return {
    root,
    async once(text) {
      const bytes = Buffer.from(text);
      const request = Object.assign(Readable.from([bytes], { objectMode: false }), {
        headers: { 'content-type': 'application/json', 'content-length': String(bytes.length) },
        body: undefined as unknown,
      });
      await readJsonBody(request);
      const message = decodeRestRequest(RuntimeService.method.runRequest, { body: request.body });
      return JSON.stringify(toRestJson(RunRequestResponseSchema, await service.runRequest(caller, message)));
    },
  };
}

const HEADERS = ['x-request-id', 'user-agent', 'x-forwarded-for', 'accept-language', 'x-zitadel-orgid', 'traceparent', 'x-b3-traceid', 'x-client'];
const BODIES: Record<string, string> = {
  'benchmark body': JSON.stringify({ fullMethod: '/zitadel.user.v2.UserService/ListUsers', request: { query: { limit: 10 } }, headers: { 'x-request-id': ['bench'] } }),
  'host-like body': JSON.stringify({
    fullMethod: '/zitadel.user.v2.UserService/ListUsers',
    request: {
      query: { offset: '0', limit: 100, asc: true },
      queries: [{ emailQuery: { emailAddress: 'ada@example.com', method: 'TEXT_QUERY_METHOD_EQUALS' } }, { typeQuery: { type: 'TYPE_HUMAN' } }],
      sortingColumn: 'USER_FIELD_NAME_CREATION_DATE',
    },
    headers: Object.fromEntries(HEADERS.map((name, index) => [name, [`value-${index}-${'v'.repeat(20)}`]])),
    userId: '2704976374918',
    orgId: '2704976374917',
  }),
};

async function microsecondsPerCall(build: Build, text: string): Promise<number> {
  const started = process.cpuUsage();
  for (let call = 0; call < CALLS; call += 1) await build.once(text);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / CALLS;
}

async function main(): Promise<void> {
  const builds = [buildAt(repoRoot()), ...process.argv.slice(2).map(buildAt)];
  for (const [name, text] of Object.entries(BODIES)) {
    const expected = JSON.stringify({ request: (JSON.parse(text) as { request: unknown }).request });
    const figures = new Map<Build, number[]>(builds.map((build) => [build, []]));
    for (const build of builds) {
      if ((await build.once(text)) !== expected) throw new Error(`${build.root} answered another request`);
      await microsecondsPerCall(build, text); // warm-up: validation plans and the JIT
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const build of round % 2 === 0 ? builds : [...builds].reverse()) figures.get(build)!.push(await microsecondsPerCall(build, text));
    }
    for (const [build, rounds] of figures) {
      const sorted = [...rounds].sort((a, b) => a - b);
      console.log(`${name}, ${build.root}: median ${sorted[Math.floor(ROUNDS / 2)]!.toFixed(1)} µs CPU per RunRequest (rounds ${rounds.map((value) => value.toFixed(1)).join(', ')})`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
