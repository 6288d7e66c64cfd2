import type { JsonObject, StoredEvent } from '@app/event-store';
import { ReadModelDatabase, type ReadModelKind } from '@app/eventsourcing/projections/testing/read-model-database';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { streamName } from '../../common/domain/stream-name';
import { EXECUTION_REMOVED, EXECUTION_SET, ExecutionTargetKind } from '../domain/execution-events';
import { ExecutionEntity, ExecutionTargetEntity } from './execution.entities';
import { executionsProjection } from './executions.projection';

const INSTANCES = ['instance-a', 'instance-b'];
const IDS = ['request', 'event/user.human.added', 'function/Action.Flow.Type.X', 'response/zitadel.session.v2.SessionService/ListSessions'];

interface Change {
  instance: number;
  id: number;
  /** undefined: removal; else the target list of a set. */
  targets?: { include: boolean; target: string }[];
}

const changeArbitrary: fc.Arbitrary<Change> = fc.record({
  instance: fc.nat(INSTANCES.length - 1),
  id: fc.nat(IDS.length - 1),
  targets: fc.option(fc.array(fc.record({ include: fc.boolean(), target: fc.constantFrom('t1', 't2', 'request', 'event') }), { minLength: 1, maxLength: 3 }), {
    nil: undefined,
    freq: 3,
  }),
});

/** The changes as the log would hold them: per-stream revisions, rising positions and times. */
function storedEvents(changes: readonly Change[]): StoredEvent[] {
  const revisions = new Map<string, number>();
  return changes.map((change, index) => {
    const stream = streamName('execution', INSTANCES[change.instance], IDS[change.id]);
    const revision = (revisions.get(stream) ?? -1) + 1;
    revisions.set(stream, revision);
    return {
      id: `e${index}`,
      stream,
      revision,
      position: index + 1,
      tenant: INSTANCES[change.instance],
      type: change.targets ? EXECUTION_SET : EXECUTION_REMOVED,
      data: (change.targets
        ? { targets: change.targets.map((ref) => ({ type: ref.include ? ExecutionTargetKind.Include : ExecutionTargetKind.Target, target: ref.target })) }
        : {}) as JsonObject,
      metadata: {},
      createdAt: new Date(Date.UTC(2024, 5, 25) + index * 1000),
    };
  });
}

/** What the read model must hold after `events`, reduced one at a time as the API defines it. */
function expectedRows(events: readonly StoredEvent[]) {
  const executions = new Map<string, { instance: string; id: string; creationDate: string; changeDate: string; sequence: number; targets: unknown[] }>();
  for (const event of events) {
    const [, instance, id] = event.stream.split(':').map(decodeURIComponent);
    const key = `${instance} ${id}`;
    if (event.type === EXECUTION_REMOVED) {
      executions.delete(key);
      continue;
    }
    const existing = executions.get(key);
    executions.set(key, {
      instance,
      id,
      creationDate: existing?.creationDate ?? event.createdAt.toISOString(),
      changeDate: event.createdAt.toISOString(),
      sequence: event.revision + 1,
      targets: (event.data as { targets: unknown[] }).targets,
    });
  }
  return [...executions.values()].sort((a, b) => `${a.instance} ${a.id}`.localeCompare(`${b.instance} ${b.id}`));
}

async function storedRows(dataSource: DataSource) {
  const executions = await dataSource.getRepository(ExecutionEntity).find();
  const targets = await dataSource.getRepository(ExecutionTargetEntity).find({ order: { ordinal: 'ASC' } });
  return executions
    .map((row) => ({
      instance: row.instance,
      id: row.id,
      creationDate: row.creationDate.toISOString(),
      changeDate: row.changeDate.toISOString(),
      sequence: row.sequence,
      targets: targets.filter((entry) => entry.instance === row.instance && entry.executionId === row.id).map((entry) => ({ type: entry.type, target: entry.target })),
    }))
    .sort((a, b) => `${a.instance} ${a.id}`.localeCompare(`${b.instance} ${b.id}`));
}

describe.each<ReadModelKind>(['sqlite', 'postgres'])('executions projection (%s)', (kind) => {
  let database: ReadModelDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await ReadModelDatabase.create(kind);
    dataSource = await database.open(executionsProjection.entities, { synchronize: true });
  });
  afterAll(() => database.drop());

  async function reduce(events: readonly StoredEvent[], batchSizes: readonly number[]): Promise<void> {
    await dataSource.getRepository(ExecutionTargetEntity).clear();
    await dataSource.getRepository(ExecutionEntity).clear();
    let next = 0;
    for (let index = 0; next < events.length; index += 1) {
      const batch = events.slice(next, next + batchSizes[index % batchSizes.length]);
      next += batch.length;
      await dataSource.transaction((manager) => executionsProjection.apply(batch, manager));
    }
  }

  it('keeps the creation date of the set that created an execution, also across a removal inside one batch', async () => {
    const events = storedEvents([
      { instance: 0, id: 0, targets: [{ include: false, target: 't1' }] },
      { instance: 0, id: 0, targets: [{ include: false, target: 't2' }] },
      { instance: 0, id: 0 },
      { instance: 0, id: 0, targets: [{ include: true, target: 'event' }, { include: false, target: 't1' }] },
      { instance: 0, id: 0, targets: [{ include: false, target: 't2' }] },
    ]);
    await reduce(events.slice(0, 2), [1, 1]);
    expect((await storedRows(dataSource))[0]).toMatchObject({ creationDate: events[0].createdAt.toISOString(), changeDate: events[1].createdAt.toISOString(), sequence: 2 });
    await reduce(events, [2, 3]);
    const [row] = await storedRows(dataSource);
    expect(row).toEqual({
      instance: 'instance-a',
      id: 'request',
      creationDate: events[3].createdAt.toISOString(),
      changeDate: events[4].createdAt.toISOString(),
      sequence: 5,
      targets: [{ type: ExecutionTargetKind.Target, target: 't2' }],
    });
  });

  it('holds the same rows however the log is cut into batches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(changeArbitrary, { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }), async (changes, batchSizes) => {
        const events = storedEvents(changes);
        await reduce(events, batchSizes);
        expect(await storedRows(dataSource)).toEqual(expectedRows(events));
      }),
      { numRuns: kind === 'sqlite' ? 60 : 20 },
    );
  });
});
