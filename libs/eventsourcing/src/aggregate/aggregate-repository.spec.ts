import { SqliteEventStore, WrongExpectedRevisionError, type StoredEvent } from '@app/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregateRepository, type AggregateDescriptor } from './aggregate-repository';
import { EventSourcedAggregate, type DomainEvent } from './aggregate-root';

type TallyEvent = DomainEvent<'tally.opened', { title: string }> | DomainEvent<'tally.counted', { by: number }>;

class Tally extends EventSourcedAggregate<TallyEvent> {
  title: string | undefined;
  total = 0;

  constructor(id: string) {
    super(id);
  }

  open(title: string): void {
    this.raise({ type: 'tally.opened', data: { title } });
  }

  count(by: number): void {
    this.raise({ type: 'tally.counted', data: { by } });
  }

  protected apply(event: TallyEvent): void {
    if (event.type === 'tally.opened') this.title = event.data.title;
    else this.total += event.data.by;
  }
}

const tallies: AggregateDescriptor<Tally, TallyEvent> = {
  streamName: (tenant, id) => `tally-${tenant}-${id}`,
  create: (id) => new Tally(id),
  toDomainEvent(event: StoredEvent): TallyEvent | undefined {
    switch (event.type) {
      case 'tally.opened':
        return { type: 'tally.opened', data: { title: String(event.data.title) } };
      case 'tally.counted':
        return { type: 'tally.counted', data: { by: Number(event.data.by) } };
      // An older name of the same fact, upcast on load.
      case 'tally.incremented':
        return { type: 'tally.counted', data: { by: 1 } };
      default:
        return undefined;
    }
  },
};

describe('AggregateRepository on a SQLite event store', () => {
  let dir: string;
  let store: SqliteEventStore;
  let repository: AggregateRepository<Tally, TallyEvent>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aggregate-repository-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db') });
    await store.init();
    repository = new AggregateRepository(store, tallies);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads an aggregate without history as new', async () => {
    const tally = await repository.load('tenant-1', 'missing');
    expect(tally.id).toBe('missing');
    expect(tally.version).toBe(-1);
    expect(tally.total).toBe(0);
  });

  it('stores pending events in the tenant stream with metadata, then appends after them', async () => {
    const tally = await repository.load('tenant-1', 't1');
    tally.open('visitors');
    tally.count(2);
    const first = await repository.save('tenant-1', tally, { metadata: { actor: 'user-7', correlationId: 'c-1' } });

    expect(first).toMatchObject({ count: 2, nextExpectedRevision: 1 });
    expect(tally.version).toBe(1);
    expect(tally.pendingEvents).toEqual([]);

    tally.count(3);
    const second = await repository.save('tenant-1', tally);
    expect(second).toMatchObject({ count: 1, nextExpectedRevision: 2 });
    expect(second!.position).toBeGreaterThan(first!.position);

    const stored = await store.readStream('tally-tenant-1-t1');
    expect(stored.map(({ type, revision, tenant, data }) => ({ type, revision, tenant, data }))).toEqual([
      { type: 'tally.opened', revision: 0, tenant: 'tenant-1', data: { title: 'visitors' } },
      { type: 'tally.counted', revision: 1, tenant: 'tenant-1', data: { by: 2 } },
      { type: 'tally.counted', revision: 2, tenant: 'tenant-1', data: { by: 3 } },
    ]);
    expect(stored[0].metadata).toMatchObject({ actor: 'user-7', correlationId: 'c-1' });
  });

  it('stores nothing and returns undefined when no event is pending', async () => {
    const tally = await repository.load('tenant-1', 't1');
    expect(await repository.save('tenant-1', tally)).toBeUndefined();
    expect(await store.headPosition()).toBe(0);
  });

  it('replays history, upcasting old event types and skipping unknown ones', async () => {
    await store.append(
      'tally-tenant-1-t1',
      [
        { type: 'tally.opened', data: { title: 'legacy' }, tenant: 'tenant-1' },
        { type: 'tally.incremented', data: {}, tenant: 'tenant-1' },
        { type: 'tally.colour-changed', data: { colour: 'red' }, tenant: 'tenant-1' },
        { type: 'tally.counted', data: { by: 5 }, tenant: 'tenant-1' },
        { type: 'tally.colour-changed', data: { colour: 'blue' }, tenant: 'tenant-1' },
      ],
      { expectedRevision: 'no_stream' },
    );

    const tally = await repository.load('tenant-1', 't1');

    expect(tally).toMatchObject({ title: 'legacy', total: 6 });
    // The next append must follow the last stored event, skipped or not.
    expect(tally.version).toBe(4);
    tally.count(1);
    await expect(repository.save('tenant-1', tally)).resolves.toMatchObject({ nextExpectedRevision: 5 });
  });

  it('keeps tenants apart', async () => {
    const mine = await repository.load('tenant-1', 'shared-id');
    mine.open('mine');
    await repository.save('tenant-1', mine);

    const theirs = await repository.load('tenant-2', 'shared-id');
    expect(theirs.version).toBe(-1);
    expect(theirs.title).toBeUndefined();
  });

  it('refuses to save over a change it did not see, storing nothing', async () => {
    const opened = await repository.load('tenant-1', 't1');
    opened.open('race');
    await repository.save('tenant-1', opened);

    const first = await repository.load('tenant-1', 't1');
    const second = await repository.load('tenant-1', 't1');
    first.count(1);
    await repository.save('tenant-1', first);
    second.count(100);

    await expect(repository.save('tenant-1', second)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect((await repository.load('tenant-1', 't1')).total).toBe(1);
    expect(second.pendingEvents).toHaveLength(1);
  });

  it('refuses to create an aggregate whose stream another writer created first', async () => {
    const late = await repository.load('tenant-1', 't1');
    const early = await repository.load('tenant-1', 't1');
    early.open('early');
    await repository.save('tenant-1', early);
    late.open('late');

    await expect(repository.save('tenant-1', late)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect((await repository.load('tenant-1', 't1')).title).toBe('early');
  });

  describe('with an aggregate whose latest event gives its whole state', () => {
    type LabelEvent = DomainEvent<'label.set', { text: string }>;

    class Label extends EventSourcedAggregate<LabelEvent> {
      text: string | undefined;
      constructor(id: string) {
        super(id);
      }
      set(text: string): void {
        this.raise({ type: 'label.set', data: { text } });
      }
      protected apply(event: LabelEvent): void {
        this.text = event.data.text;
      }
    }

    const labels: AggregateDescriptor<Label, LabelEvent> = {
      streamName: (tenant, id) => `label-${tenant}-${id}`,
      create: (id) => new Label(id),
      toDomainEvent: (event) => (event.type === 'label.set' ? { type: 'label.set', data: { text: String(event.data.text) } } : undefined),
      stateFromLatestEvent: true,
    };

    /** The store, counting the events its stream reads return. */
    function countingReads(): { repository: AggregateRepository<Label, LabelEvent>; eventsRead: () => number } {
      let read = 0;
      const counting = Object.create(store) as SqliteEventStore;
      counting.readStream = async (...args: Parameters<SqliteEventStore['readStream']>) => {
        const events = await store.readStream(...args);
        read += events.length;
        return events;
      };
      return { repository: new AggregateRepository(counting, labels), eventsRead: () => read };
    }

    it('loads from the latest event alone, however long the history, and appends after it', async () => {
      const history = Array.from({ length: 500 }, (_, index) => ({ type: 'label.set', data: { text: `v${index}` }, tenant: 'tenant-1' }));
      await store.append('label-tenant-1-l1', history, { expectedRevision: 'no_stream' });
      const { repository: labelRepository, eventsRead } = countingReads();

      const label = await labelRepository.load('tenant-1', 'l1');

      expect(label).toMatchObject({ text: 'v499', version: 499 });
      expect(eventsRead()).toBe(1);
      label.set('v500');
      await expect(labelRepository.save('tenant-1', label)).resolves.toMatchObject({ nextExpectedRevision: 500 });
      expect((await labelRepository.load('tenant-1', 'l1')).text).toBe('v500');
    });

    it('replays the whole stream when the latest event is one it does not know', async () => {
      await store.append(
        'label-tenant-1-l1',
        [
          { type: 'label.set', data: { text: 'kept' }, tenant: 'tenant-1' },
          { type: 'label.colour-changed', data: { colour: 'red' }, tenant: 'tenant-1' },
        ],
        { expectedRevision: 'no_stream' },
      );
      const { repository: labelRepository } = countingReads();

      const label = await labelRepository.load('tenant-1', 'l1');

      expect(label).toMatchObject({ text: 'kept', version: 1 });
    });

    it('loads a stream that does not exist as new', async () => {
      const { repository: labelRepository } = countingReads();
      const label = await labelRepository.load('tenant-1', 'missing');
      expect(label.text).toBeUndefined();
      expect(label.version).toBe(-1);
    });
  });
});
