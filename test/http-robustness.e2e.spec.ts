import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ApiClient, expectError } from './support/api';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from './support/test-app';

const ENDPOINTS: readonly [method: 'post' | 'put' | 'delete', path: string][] = [
  ['post', '/v3alpha/targets'],
  ['put', '/v3alpha/targets/123'],
  ['delete', '/v3alpha/targets/123'],
  ['post', '/v3alpha/targets/search'],
  ['put', '/v3alpha/executions'],
  ['delete', '/v3alpha/executions'],
  ['post', '/v3alpha/executions/search'],
];

/** Bodies shaped like the API's, so fuzzing reaches deep into validation and the handlers. */
const conditionLike = fc.oneof(
  fc.record({ request: fc.record({ method: fc.oneof(fc.string(), fc.constant('/zitadel.session.v2.SessionService/ListSessions')), all: fc.boolean() }, { requiredKeys: [] }) }),
  fc.record({ event: fc.record({ group: fc.string(), event: fc.string(), all: fc.anything() }, { requiredKeys: [] }) }),
  fc.record({ function: fc.record({ name: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] }) }),
  fc.anything(),
);
const apiLikeBody = fc.record(
  {
    condition: conditionLike,
    targets: fc.array(fc.oneof(fc.record({ target: fc.string() }), fc.record({ include: conditionLike }), fc.anything()), { maxLength: 3 }),
    name: fc.string(),
    timeout: fc.oneof(fc.string(), fc.constantFrom('1s', '0s', '-1s', '1e3s'), fc.double()),
    endpoint: fc.oneof(fc.webUrl(), fc.string()),
    restWebhook: fc.anything(),
    restAsync: fc.anything(),
    query: fc.record({ offset: fc.anything(), limit: fc.anything(), asc: fc.anything() }, { requiredKeys: [] }),
    queries: fc.array(fc.anything(), { maxLength: 2 }),
    sortingColumn: fc.oneof(fc.string(), fc.integer()),
  },
  { requiredKeys: [] },
);
const rawBody = fc.oneof(
  fc.json(),
  fc.string(),
  apiLikeBody.map((body) => JSON.stringify(body)),
  fc.constantFrom('{', '[]', '[{}]', 'null', '"x"', '1', '{"__proto__":{"admin":true}}', '{"condition":{"constructor":{"prototype":{}}}}', '\u0000'),
);

describe.each(STORE_SETUPS)('HTTP robustness (%s)', (setup) => {
  let testApp: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    testApp = await startTestApp(setup);
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
  });
  afterAll(() => testApp.close());

  const send = (method: 'post' | 'put' | 'delete', path: string, body: string, contentType = 'application/json') =>
    testApp.http()[method](path).set('Authorization', `Bearer ${api.token}`).set('Content-Type', contentType).send(body);

  it('answers malformed JSON with 400 code 3', async () => {
    expectError(await send('put', '/v3alpha/executions', '{"condition":'), 400, 3, 'REQUEST-2jv9d0slxq');
  });

  it.each(['[]', '[{"condition":{}}]', '"text"', '42', 'null'])('answers the non-object body %s with 400 code 3', async (body) => {
    expectError(await send('put', '/v3alpha/executions', body), 400, 3);
  });

  it('refuses __proto__ and constructor keys with 400', async () => {
    expectError(await send('post', '/v3alpha/targets', '{"__proto__":{"name":"x"},"name":"n"}'), 400, 3);
    expectError(await send('put', '/v3alpha/executions', '{"condition":{"request":{"constructor":{}}}}'), 400, 3);
    expect(({} as Record<string, unknown>).name).toBeUndefined();
  });

  it('answers a body over 1 MiB with 413 code 8', async () => {
    const response = await send('post', '/v3alpha/targets', JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 1) }));
    expectError(response, 413, 8, 'REQUEST-5qz9mbb1dn');
  });

  it('ignores unknown fields', async () => {
    const response = await api.createTarget({ name: 'extra', restAsync: {}, timeout: '1s', endpoint: 'https://example.com', colour: 'blue', nested: { a: 1 } });
    expect(response.status).toBe(201);
  });

  it('answers unknown routes with 404 code 5 in the error format', async () => {
    expectError(await testApp.http().get('/v3alpha/nothing').set('Authorization', `Bearer ${api.token}`), 404, 5);
  });

  it('never answers 500 and never stores an event for random bodies on any endpoint', async () => {
    const fuzzer = await ApiClient.of(testApp, `fuzz-${randomUUID()}`);
    let created = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), rawBody, async ([method, path], body) => {
        const response = await testApp.http()[method](path).set('Authorization', `Bearer ${fuzzer.token}`).set('Content-Type', 'application/json').send(body);
        expect(response.status).toBeLessThan(500);
        if (response.status < 300 && !path.endsWith('/search')) {
          // Besides searches only a create can succeed: random bodies name no existing target or execution.
          expect([method, path, response.status]).toEqual(['post', '/v3alpha/targets', 201]);
          created += 1;
        }
        expect(response.body).toEqual(
          response.status >= 400 ? { code: expect.any(Number), message: expect.any(String), details: [expect.objectContaining({ id: expect.any(String) })] } : expect.anything(),
        );
      }),
      { numRuns: 150 },
    );
    // A refused request stores nothing; a valid create stores its name reservation and target.added.
    const stored = await storedEvents(testApp, { tenant: fuzzer.instanceId });
    expect(stored.map((event) => event.type).sort()).toEqual([...Array(created).fill('target.added'), ...Array(created).fill('target.name.reserved')]);
  });
});
