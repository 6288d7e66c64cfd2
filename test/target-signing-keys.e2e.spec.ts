import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { streamName } from '../src/common/domain/stream-name';
import { EnsureTargetSigningKeyCommand, RotateTargetSigningKeyCommand } from '../src/targets/commands/target.commands';
import { GetTargetQuery, ListTargetsQuery } from '../src/targets/queries/target.queries';
import { generatedKeyPath } from '../src/common/crypto/encryption-key';
import { ApiClient } from './support/api';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from './support/test-app';

describe.each(STORE_SETUPS)('target signing keys (%s)', (setup) => {
  let testApp: TestApp;
  let api: ApiClient;
  let queries: QueryBus;
  let commands: CommandBus;

  beforeAll(async () => {
    testApp = await startTestApp(setup);
    queries = testApp.app.get(QueryBus);
    commands = testApp.app.get(CommandBus);
  });
  afterAll(() => testApp.close());
  beforeEach(async () => {
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
  });

  const keyOf = async (id: string): Promise<string | undefined> => (await queries.execute(new GetTargetQuery(api.instanceId, id, { withSigningKey: true }))).signingKey;

  it('gives every new target its own key, readable only when asked for, stored sealed in its events', async () => {
    const first = await api.newTarget('first');
    const second = await api.newTarget('second');
    const [firstKey, secondKey] = [await keyOf(first), await keyOf(second)];
    expect(firstKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secondKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(firstKey).not.toBe(secondKey);
    expect((await queries.execute(new GetTargetQuery(api.instanceId, first))).signingKey).toBeUndefined();
    expect((await api.getTarget(first)).text).not.toContain(firstKey);

    const listed = await queries.execute(new ListTargetsQuery(api.instanceId, [], 'NAME', { offset: 0, limit: 10, asc: true }, { withSigningKey: true }));
    expect(listed.result.map((view) => view.signingKey)).toEqual([firstKey, secondKey]);

    // The log (what `events export` writes) holds only the sealed form.
    const log = JSON.stringify(await storedEvents(testApp, { tenant: api.instanceId }));
    expect(log).not.toContain(firstKey);
    expect(log).not.toContain(secondKey);
    expect(log).toContain('"alg":"A256GCM"');
    // The generated encryption key sits in DATA_DIR.
    expect(readFileSync(generatedKeyPath(testApp.config.dataDir), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rotates a key: the new one is answered and read back, the old one is gone', async () => {
    const id = await api.newTarget('rotated');
    const before = await keyOf(id);
    const rotated = await commands.execute(new RotateTargetSigningKeyCommand(api.instanceId, id, 'alice'));
    expect(rotated.signingKey).not.toBe(before);
    expect(rotated.details.sequence).toBe(2);
    expect(await keyOf(id)).toBe(rotated.signingKey);
    await expect(commands.execute(new RotateTargetSigningKeyCommand(api.instanceId, 'missing', 'alice'))).rejects.toMatchObject({ id: 'COMMAND-xj14f2cccn' });
  });

  it('gives a target added before keys existed one key on first need, recorded once', async () => {
    const id = '123456789012345678';
    await testApp.store.append(
      streamName('target', api.instanceId, id),
      [{ type: 'target.added', tenant: api.instanceId, data: { name: 'legacy', targetType: 1, endpoint: 'https://example.com/old', timeout: 1_000_000_000, interruptOnError: false } }],
      { expectedRevision: 'no_stream' },
    );
    const [a, b] = await Promise.all([
      commands.execute(new EnsureTargetSigningKeyCommand(api.instanceId, id, 'system')),
      commands.execute(new EnsureTargetSigningKeyCommand(api.instanceId, id, 'system')),
    ]);
    expect(a.signingKey).toBe(b.signingKey);
    expect(await keyOf(id)).toBe(a.signingKey);
    const changes = await storedEvents(testApp, { tenant: api.instanceId, types: ['target.changed'] });
    expect(changes).toHaveLength(1);
    expect(JSON.stringify(changes[0]!.data)).not.toContain(a.signingKey);
  });

  it('gives a legacy target its key through the query too', async () => {
    const id = '223456789012345678';
    await testApp.store.append(
      streamName('target', api.instanceId, id),
      [{ type: 'target.added', tenant: api.instanceId, data: { name: 'legacy2', targetType: 2, endpoint: 'https://example.com/old', timeout: 1_000_000_000, interruptOnError: false } }],
      { expectedRevision: 'no_stream' },
    );
    const key = await keyOf(id);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await keyOf(id)).toBe(key);
  });
});
