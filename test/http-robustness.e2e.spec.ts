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

  it('refuses those keys spelled with \\u escapes too, and takes them as values', async () => {
    expectError(await send('post', '/v3alpha/targets', '{"\\u005f_proto__":{"name":"x"},"name":"n"}'), 400, 3);
    expectError(await send('put', '/v3alpha/executions', '{"condition":{"request":{"c\\u006fnstructor":{}}}}'), 400, 3);
    const runner = await testApp.token(api.instanceId, { roles: ['ACTIONS_RUNNER'] });
    const run = await testApp
      .http()
      .post('/runtime/v1/request')
      .set('Authorization', `Bearer ${runner}`)
      .set('Content-Type', 'application/json')
      .send('{"fullMethod":"/a.B/C","request":{"note":"prototype and constructor are words"}}');
    expect(run.status).toBe(200);
    expect(run.body).toEqual({ request: { note: 'prototype and constructor are words' } });
  });

  it('answers a body over 1 MiB with 413 code 8', async () => {
    const response = await send('post', '/v3alpha/targets', JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 1) }));
    expectError(response, 413, 8, 'REQUEST-5qz9mbb1dn');
  });

  /** Raw bytes as sent, with exactly the headers given (supertest would serialize a Buffer as JSON). */
  async function sendRaw(path: string, body: Buffer | string, headers: Record<string, string>, token: string | undefined = api.token): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${await testApp.app.getUrl()}${path}`, {
      method: 'POST',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body,
    });
    return { status: response.status, body: await response.json() };
  }
  const createBody = (name: string): string => JSON.stringify({ name, restAsync: {}, timeout: '1s', endpoint: 'https://example.com/hook' });
  const refusal = (status: number, code: number, id: string, message: jest.AsymmetricMatcher) => ({
    status,
    body: { code, message: expect.any(String), details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id, message }] },
  });

  it('checks the token before reading the body: an anonymous oversized or malformed body is 401', async () => {
    const anonymous = (body: string) => testApp.http().post('/v3alpha/targets').set('Content-Type', 'application/json').send(body);
    expectError(await anonymous(JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 1) })), 401, 16);
    expectError(await anonymous('{"name":'), 401, 16);
    expectError(await anonymous('{"name":"a\\ud800"}'), 401, 16);
    const reader = await testApp.token(api.instanceId, { roles: ['IAM_OWNER_VIEWER'] });
    expectError(await testApp.http().post('/v3alpha/targets').set('Authorization', `Bearer ${reader}`).set('Content-Type', 'text/plain').send('{'), 403, 7);
  });

  it.each(['utf-16le', 'utf-16', 'latin1', 'ISO-8859-1', 'us-ascii', '"windows-1252"'])('answers a body declared charset=%s with 415 code 3, asking for UTF-8 JSON', async (charset) => {
    const name = `charset-${randomUUID()}`;
    const bytes = Buffer.from(createBody(name), charset.startsWith('utf-16') ? 'utf16le' : 'latin1');
    expect(await sendRaw('/v3alpha/targets', bytes, { 'content-type': `application/json; charset=${charset}` })).toEqual(
      refusal(415, 3, 'REQUEST-8fw3n6tq1k', expect.stringMatching(/^charset .+ is not supported: send the body as UTF-8 JSON with Content-Type: application\/json$/)),
    );
    expect((await api.listTargets()).body.result.map((target: { name: string }) => target.name)).not.toContain(name);
  });

  it('accepts UTF-8 declared in any spelling', async () => {
    for (const contentType of ['application/json; charset=UTF-8', 'application/json;charset="utf-8"', 'Application/JSON; charset=utf8']) {
      expect((await sendRaw('/v3alpha/targets', createBody(`utf8-${randomUUID()}`), { 'content-type': contentType })).status).toBe(201);
    }
  });

  it('answers a body without Content-Type, or of another type, with 415 naming application/json', async () => {
    expect(await sendRaw('/v3alpha/targets', Buffer.from(createBody('no-type')), {})).toEqual(
      refusal(415, 3, 'REQUEST-8fw3n6tq1k', expect.stringMatching(/^Content-Type is missing: send the body as UTF-8 JSON with Content-Type: application\/json$/)),
    );
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx']) {
      expect(await sendRaw('/v3alpha/targets', createBody('other-type'), { 'content-type': type })).toEqual(
        refusal(415, 3, 'REQUEST-8fw3n6tq1k', expect.stringContaining(`Content-Type ${type} is not supported`)),
      );
    }
    expect(await sendRaw('/v3alpha/targets', createBody('gzip'), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).toEqual(
      refusal(415, 3, 'REQUEST-8fw3n6tq1k', expect.stringContaining('send the body uncompressed')),
    );
    // No body at all needs no type: a search without a body lists everything.
    expect((await testApp.http().post('/v3alpha/targets/search').set('Authorization', `Bearer ${api.token}`)).status).toBe(200);
  });

  it('refuses invalid UTF-8 and unpaired surrogates, naming what to fix', async () => {
    const invalid = Buffer.concat([Buffer.from('{"name":"bad'), Buffer.from([0xc3, 0x28]), Buffer.from(createBody('x').slice(9))]);
    expect(await sendRaw('/v3alpha/targets', invalid, { 'content-type': 'application/json' })).toEqual(
      refusal(400, 3, 'REQUEST-2jv9d0slxq', expect.stringMatching(/not valid UTF-8: send JSON encoded as UTF-8/)),
    );
    expect(await sendRaw('/v3alpha/targets', createBody('x').replace('"x"', '"lone \\udc00 low"'), { 'content-type': 'application/json' })).toEqual(
      refusal(400, 3, 'REQUEST-7hmv0qz3xk', expect.stringMatching(/^name must be Unicode text without NUL characters or unpaired surrogates$/)),
    );
    // An escaped backslash before "ud800" is plain text, and a surrogate pair is one character.
    expect((await sendRaw('/v3alpha/targets', createBody('x').replace('"x"', `"pair \\ud83d\\ude00 ${randomUUID()}"`), { 'content-type': 'application/json' })).status).toBe(201);
    expect((await sendRaw('/v3alpha/targets', createBody('x').replace('"x"', `"text \\\\ud800 ${randomUUID()}"`), { 'content-type': 'application/json' })).status).toBe(201);
  });

  it('ignores unknown fields', async () => {
    const response = await api.createTarget({ name: 'extra', restAsync: {}, timeout: '1s', endpoint: 'https://example.com', colour: 'blue', nested: { a: 1 } });
    expect(response.status).toBe(201);
  });

  it.each(['/v3alpha/targets/%E0%A4%A', '/v3alpha/targets/%ZZ', '/v2/actions/targets/%FF'])('answers the malformed path %s with 400 code 3 saying how to encode it', async (path) => {
    const response = await testApp.http().get(path).set('Authorization', `Bearer ${api.token}`);
    expectError(response, 400, 3, 'HTTP-6pd1v0rj3m');
    expect((response.body as { message: string }).message).toBe(
      `Path ${path} is not valid percent-encoding: escape each byte of a path parameter's UTF-8 as %XX (HTTP-6pd1v0rj3m)`,
    );
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
