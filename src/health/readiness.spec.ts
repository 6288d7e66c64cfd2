import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, type EventStore } from '@app/event-store';
import type { ProjectionStatus } from '@app/eventsourcing';
import { ProjectionReadinessJudge } from './readiness';

describe('ProjectionReadinessJudge', () => {
  let dir: string;
  let store: EventStore;
  let now = 0;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'readiness-'));
    store = await createEventStore({ kind: 'sqlite', file: join(dir, 'events.db') });
    for (let index = 0; index < 20; index += 1) await store.append(`s-${index}`, [{ type: 'a.b', tenant: 't', data: {} }], { expectedRevision: 'no_stream' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const status = (position: number, head: number): ProjectionStatus => ({
    name: 'p',
    position,
    lag: head - position,
    lastEventAt: null,
    updatedAt: null,
    lastError: null,
    lastErrorAt: null,
    errorCount: 0,
    eventsProcessed: position,
  });

  it('is ready within the bound, counting events only when the position lag exceeds it', async () => {
    const judge = new ProjectionReadinessJudge({ maxLagEvents: 5, caughtUpWithinMs: 1000 }, () => now);
    expect((await judge.judge(store, [status(15, 20)])).p).toMatchObject({ ready: true, lagPositions: 5 });
    expect((await judge.judge(store, [status(14, 20)])).p).toMatchObject({ ready: false, lagPositions: 6, lagEvents: 6 });
    // Only 6 events are counted at most: the bound plus one settles it.
    expect((await judge.judge(store, [status(0, 20)])).p).toMatchObject({ ready: false, lagEvents: 6 });
  });

  it('stays ready for a while after being seen caught up, then follows the lag', async () => {
    const judge = new ProjectionReadinessJudge({ maxLagEvents: 5, caughtUpWithinMs: 1000 }, () => now);
    now = 10_000;
    expect((await judge.judge(store, [status(20, 20)])).p.ready).toBe(true);
    now = 10_900;
    expect((await judge.judge(store, [status(0, 20)])).p.ready).toBe(true);
    now = 11_100;
    expect((await judge.judge(store, [status(0, 20)])).p.ready).toBe(false);
  });
});
