import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';
import { hostileTokens } from './support/hostile-tokens';
import { reportFigures } from './support/report';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

type Method = 'get' | 'post' | 'put' | 'delete';
const RPC = '/zitadel.action.v3alpha.ActionService';

/** Every route of the HTTP port: REST, Connect (JSON) and the operational ones. */
const ENDPOINTS: readonly [Method, string][] = [
  ['post', '/v3alpha/targets'],
  ['put', '/v3alpha/targets/218042448827731700'],
  ['delete', '/v3alpha/targets/218042448827731700'],
  ['get', '/v3alpha/targets/218042448827731700'],
  ['post', '/v3alpha/targets/search'],
  ['put', '/v3alpha/executions'],
  ['delete', '/v3alpha/executions'],
  ['post', '/v3alpha/executions/search'],
  ['get', '/v3alpha/executions/functions'],
  ['get', '/v3alpha/executions/methods'],
  ['get', '/v3alpha/executions/services'],
  ...['CreateTarget', 'UpdateTarget', 'DeleteTarget', 'GetTargetByID', 'ListTargets', 'SetExecution', 'DeleteExecution', 'ListExecutions', 'ListExecutionFunctions', 'ListExecutionMethods', 'ListExecutionServices'].map(
    (rpc): [Method, string] => ['post', `${RPC}/${rpc}`],
  ),
  ['get', '/healthz'],
  ['get', '/readyz'],
  ['get', '/metrics'],
];
/** Routes that store something when a call succeeds: no hostile call may succeed there. */
const CREATES = new Set(['/v3alpha/targets', `${RPC}/CreateTarget`]);

const FIELDS = ['condition', 'targets', 'name', 'timeout', 'endpoint', 'restWebhook', 'restCall', 'restAsync', 'query', 'queries', 'targetId', 'request', 'event', 'function', 'include', 'method', 'all'];
const hugeNumbers = fc.constantFrom('1e999', '-1e999', '18446744073709551616', '9007199254740993', '-0', '1e-400', '"99999999999999999999999999"', '4294967296');
const wrongValue = fc.oneof(
  hugeNumbers,
  fc.constantFrom('true', 'null', '[]', '{}', '[{}]', '""', '"\\u0000"', '"\\ud800"', '{"all":"true"}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}'),
  fc.integer({ min: 1001, max: 300_000 }).map((length) => JSON.stringify('x'.repeat(length))),
  fc.json({ maxDepth: 3 }),
);
/** Objects with API field names holding values of the wrong type, size or shape. */
const wrongTypes = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...FIELDS), wrongValue), { minLength: 1, maxLength: 5, selector: ([field]) => field })
  .map((entries) => `{${entries.map(([field, value]) => `${JSON.stringify(field)}:${value}`).join(',')}}`);
const deepNesting = fc
  .tuple(fc.integer({ min: 65, max: 100_000 }), fc.constantFrom('[', '{"condition":', '{"a":[', '{"include":{"event":'))
  .map(([depth, opener]) => opener.repeat(depth) + '1' + (opener === '[' ? ']' : opener === '{"a":[' ? ']}' : opener === '{"include":{"event":' ? '}}' : '}').repeat(depth));
const invalidUtf8 = fc
  .tuple(fc.constantFrom('name', 'endpoint', 'target'), fc.constantFrom([0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]))
  .map(([field, bytes]) =>
    Buffer.concat([
      Buffer.from(`{"restWebhook":{"interruptOnError":true},"timeout":"10s","endpoint":"https://example.com/hook","name":"ok","condition":{"event":{"all":true}},"targets":[{"target":"1"}],"${field}":"bad`),
      Buffer.from(bytes),
      Buffer.from('"}'),
    ]),
  );
const oversizedBody = fc.constant(null).map(() => JSON.stringify({ name: 'n', endpoint: `https://example.com/${'a'.repeat(1_200_000)}` }));
const hostileBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  { arbitrary: wrongTypes, weight: 4 },
  { arbitrary: deepNesting, weight: 2 },
  { arbitrary: invalidUtf8, weight: 2 },
  { arbitrary: fc.oneof(fc.string(), fc.json(), fc.constantFrom('{', '[]', 'null', '"x"', '{"a":1,}', '{"__proto__":{"admin":true}}', '\u0000', '\ufeff{}')), weight: 2 },
  { arbitrary: oversizedBody, weight: 1 },
);

describe('hostile input to every endpoint (service in process on SQLite)', () => {
  let app: TestApp;
  let token: string;
  let instanceId: string;

  beforeAll(async () => {
    app = await startTestApp('sqlite');
    instanceId = `hostile-${randomUUID()}`;
    token = await app.token(instanceId);
  });
  afterAll(() => app.close());

  function send(method: Method, path: string, body: string | Buffer | undefined, authorization: string | undefined): Promise<Response> {
    let call = app.http()[method](path).set('Content-Type', 'application/json');
    if (authorization !== undefined) call = call.set('Authorization', authorization);
    return body === undefined || method === 'get' ? call : call.send(body);
  }

  /** No hostile call may fail with an internal error or succeed in storing something. */
  function expectRefusedWithoutHarm(response: Response, path: string, what: unknown): void {
    const verdict = { what, path, status: response.status, body: response.status >= 500 || (CREATES.has(path) && response.status < 300) ? response.text.slice(0, 300) : undefined };
    expect(verdict).toEqual({ what, path, status: expect.any(Number), body: undefined });
  }

  function heapAfterGc(): number {
    collectGarbage();
    collectGarbage();
    return process.memoryUsage().heapUsed;
  }

  it('never answers 500, never stores an event, and keeps memory flat', async () => {
    const headBefore = await app.store.headPosition();
    const tokens = await hostileTokens(app.config.dataDir, instanceId);
    const authorizationFor = (name: string): string => {
      if (name.startsWith('garbage: ')) return `Bearer ${name.slice('garbage: '.length)}`;
      const malformed: Record<string, string> = {
        'no scheme': token,
        'empty bearer': 'Bearer ',
        basic: 'Basic dXNlcjpwYXNz',
        'two spaces, expired': `bearer  ${tokens.expired}`,
        'two tokens': `Bearer ${token} ${token}`,
      };
      return malformed[name] ?? `Bearer ${tokens[name]}`;
    };
    const validCreate = JSON.stringify({ name: 'intruder', restWebhook: { interruptOnError: true }, timeout: '10s', endpoint: 'https://example.com/hook' });
    const bodies = fc.asyncProperty(fc.constantFrom(...ENDPOINTS), hostileBody, async ([method, path], body) => {
      expectRefusedWithoutHarm(await send(method, path, body, `Bearer ${token}`), path, typeof body === 'string' ? body.slice(0, 120) : body.subarray(0, 120).toString('hex'));
    });
    const forgedTokens = fc.asyncProperty(
      fc.constantFrom(...ENDPOINTS.filter(([, path]) => !['/healthz', '/readyz', '/metrics'].includes(path))),
      fc.oneof(
        fc.constantFrom(...Object.keys(tokens)),
        fc.string({ maxLength: 300 }).map((garbage) => `garbage: ${garbage}`),
        fc.constantFrom('no scheme', 'empty bearer', 'basic', 'two spaces, expired', 'two tokens'),
      ),
      async ([method, path], name) => {
        const header = authorizationFor(name);
        const response = await send(method, path, validCreate, header);
        expectRefusedWithoutHarm(response, path, name);
        // 401 (REST code 16, Connect unauthenticated); Node itself refuses oversized headers (431).
        const expected = name === 'token beyond the header size limit' ? 431 : 401;
        expect({ name, path, status: response.status }).toEqual({ name, path, status: expected });
      },
    );

    // Warm-up round: code paths compiled, caches filled; then the memory baseline.
    await fc.assert(bodies, { numRuns: 150, seed: 1 });
    await fc.assert(forgedTokens, { numRuns: 100, seed: 1 });
    const baseline = heapAfterGc();
    const rssBaseline = process.memoryUsage().rss;
    await fc.assert(bodies, { numRuns: 2_000 });
    await fc.assert(forgedTokens, { numRuns: 1_000 });
    const growth = heapAfterGc() - baseline;

    expect(await app.store.headPosition()).toBe(headBefore);
    // A leak of even a few hundred bytes per call would show: 3,000 calls, an 8 MiB bound.
    expect(growth).toBeLessThan(8 * 2 ** 20);
    const health = await app.http().get('/healthz');
    expect(health.status).toBe(200);
    reportFigures('hostile input', {
      calls: 150 + 100 + 2_000 + 1_000,
      heapGrowthAfterGcKiB: Math.round(growth / 1024),
      rssGrowthMiB: Math.round((process.memoryUsage().rss - rssBaseline) / 2 ** 20),
      logHeadBefore: headBefore,
      logHeadAfter: await app.store.headPosition(),
      forgedTokenKinds: Object.keys(tokens).length,
    });
  });
});
