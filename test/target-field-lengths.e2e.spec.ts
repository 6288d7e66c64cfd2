import { randomUUID } from 'node:crypto';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from './support/test-app';

/** Four UTF-8 bytes per character: the longest names in bytes that a character limit allows. */
const longName = (characters: number): string => '𝄞'.repeat(characters);
const longEndpoint = (characters: number): string => `https://example.com/${'a'.repeat(characters - 'https://example.com/'.length)}`;
const target = (name: string, endpoint: string) => ({ name, restWebhook: { interruptOnError: false }, timeout: '10s', endpoint });

/**
 * The longest names and endpoints each API version accepts (v2: names 1..1000, endpoints
 * 1..2048; v2beta: 1..1000 and 1..1000; v3alpha: 1..200 and 1..1000) are stored and read back
 * on both storage set-ups, and one character more is a 400 that stores nothing.
 */
describe.each(STORE_SETUPS)('target name and endpoint lengths (%s)', (setup) => {
  let testApp: TestApp;
  let instanceId: string;
  let token: string;

  beforeAll(async () => {
    testApp = await startTestApp(setup);
  });
  afterAll(() => testApp.close());
  beforeEach(async () => {
    instanceId = `instance-${randomUUID()}`;
    token = await testApp.token(instanceId);
  });

  const post = (path: string, body: unknown) => testApp.http().post(path).set('Authorization', `Bearer ${token}`).send(body as object);
  const get = (path: string) => testApp.http().get(path).set('Authorization', `Bearer ${token}`);
  const addedTargets = async () => (await storedEvents(testApp, { tenant: instanceId, types: ['target.added'] })).length;

  it.each([
    ['v2', 1000, 2048],
    ['v2beta', 1000, 1000],
  ])('%s stores a %i-character name and a %i-character endpoint, finds it by name, and refuses one character more', async (version, nameLength, endpointLength) => {
    const name = longName(nameLength);
    const endpoint = longEndpoint(endpointLength);
    const created = await post(`/${version}/actions/targets`, target(name, endpoint));
    expect(created.status).toBe(200);
    const got = await get(`/${version}/actions/targets/${created.body.id}`);
    expect(got.body.target).toMatchObject({ name, endpoint });
    const found = await post(`/${version}/actions/targets/search`, { filters: [{ targetNameFilter: { targetName: name } }] });
    expect(found.body.targets.map((found: { id: string }) => found.id)).toEqual([created.body.id]);

    for (const tooLong of [target(longName(nameLength + 1), endpoint), target(longName(3), longEndpoint(endpointLength + 1))]) {
      const refused = await post(`/${version}/actions/targets`, tooLong);
      expect(refused.status).toBe(400);
    }
    expect(await addedTargets()).toBe(1);
  });

  it('v3alpha keeps its own limits: a 200-character name and 1000-character endpoint, not one more', async () => {
    const created = await post('/v3alpha/targets', target(longName(200), longEndpoint(1000)));
    expect(created.status).toBe(201);
    expect((await post('/v3alpha/targets', target(longName(201), longEndpoint(20)))).status).toBe(400);
    expect((await post('/v3alpha/targets', target(longName(3), longEndpoint(1001)))).status).toBe(400);
    expect(await addedTargets()).toBe(1);
  });
});
