import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type JsonObject, type ReadStreamOptions, type StoredEvent } from '@app/event-store';
import { Catalogue } from '../../catalogue/catalogue';
import type { AppConfig } from '../../config/app-config';
import { ForwardingEventStore } from '../../persistence/forwarding-event-store';
import { TargetRepository } from '../../targets/commands/target.repository';
import { targetDescriptor } from '../../targets/domain/target.aggregate';
import { TARGET_ADDED, TARGET_CHANGED, TARGET_REMOVED, TargetType } from '../../targets/domain/target-events';
import type { Condition } from '../domain/condition';
import { ExecutionErrors } from '../domain/execution-errors';
import { ExecutionRepository } from './execution.repository';
import { SetExecutionCommand } from './set-execution.command';
import { SetExecutionHandler } from './set-execution.handler';

const INSTANCE = 'instance-1';
const CONDITION: Condition = { type: 'request', match: 'method', value: '/zitadel.session.v2.SessionService/ListSessions' };
const catalogue = new Catalogue({ 'zitadel.session.v2.SessionService': ['ListSessions'] }, []);
const TARGET_FIELDS = { name: 'hook', targetType: TargetType.Webhook, endpoint: 'https://example.com/hook', timeout: 10_000, interruptOnError: false };

/** Counts the events stream reads hand back: the work a command does on the write side. */
class CountingEventStore extends ForwardingEventStore {
  eventsRead = 0;

  override async readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    const events = await super.readStream(stream, options);
    this.eventsRead += events.length;
    return events;
  }
}

describe('SetExecutionHandler', () => {
  let dir: string;
  let store: SqliteEventStore;
  let counting: CountingEventStore;
  let handler: SetExecutionHandler;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'set-execution-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db'), backgroundCheckpointMs: false });
    await store.init();
    counting = new CountingEventStore(store);
    handler = new SetExecutionHandler(new ExecutionRepository(counting), new TargetRepository(counting), catalogue, {} as AppConfig);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function storeTarget(id: string, ...later: { type: string; data: JsonObject }[]): Promise<void> {
    const events = [{ type: TARGET_ADDED, data: TARGET_FIELDS }, ...later].map((event) => ({ ...event, tenant: INSTANCE }));
    await store.append(targetDescriptor.streamName(INSTANCE, id), events, { expectedRevision: 'no_stream' });
  }

  const setTo = (...targets: string[]) => handler.execute(new SetExecutionCommand(INSTANCE, CONDITION, targets.map((target) => ({ target })), 'tester'));

  it('checks a referenced target from its latest event, however many changes it has had', async () => {
    const renames = Array.from({ length: 2_000 }, (_, index) => ({ type: TARGET_CHANGED, data: { name: `hook-${index}` } }));
    await storeTarget('busy', ...renames);

    await expect(setTo('busy')).resolves.toMatchObject({ sequence: 1 });
    // The target's latest event, and the execution's (none yet): not the target's 2,001 events.
    expect(counting.eventsRead).toBeLessThanOrEqual(2);
  });

  it('refuses a removed target and an unknown one, and stores nothing', async () => {
    await storeTarget('gone', { type: TARGET_REMOVED, data: {} });
    await storeTarget('kept');

    await expect(setTo('kept', 'gone')).rejects.toEqual(ExecutionErrors.targetNotFound());
    await expect(setTo('never-added')).rejects.toEqual(ExecutionErrors.targetNotFound());
    expect(await store.readAll()).toMatchObject({ events: [{ type: TARGET_ADDED }, { type: TARGET_REMOVED }, { type: TARGET_ADDED }].map(expect.objectContaining) });
    await expect(setTo('kept')).resolves.toMatchObject({ sequence: 1 });
  });

  it('replays the stream when its latest event is of a type this build does not know', async () => {
    await storeTarget('future', { type: 'target.archived', data: {} });
    await store.append(targetDescriptor.streamName(INSTANCE, 'unreadable'), [{ type: TARGET_ADDED, data: { name: 'no endpoint' }, tenant: INSTANCE }], { expectedRevision: 'no_stream' });

    await expect(setTo('future')).resolves.toMatchObject({ sequence: 1 });
    // An addition the target aggregate cannot read makes no target, as a replay decides.
    await expect(setTo('unreadable')).rejects.toEqual(ExecutionErrors.targetNotFound());
  });
});
