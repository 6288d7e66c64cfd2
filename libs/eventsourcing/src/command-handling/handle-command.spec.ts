import { EventStoreUnavailableError, SqliteEventStore, WrongExpectedRevisionError, type StoredEvent } from '@app/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregateRepository, type AggregateDescriptor } from '../aggregate/aggregate-repository';
import { EventSourcedAggregate, type DomainEvent } from '../aggregate/aggregate-root';
import { ConcurrencyConflictError, handleCommand } from './handle-command';

type SeatEvent = DomainEvent<'seat.booked', { guest: string }>;

class SoldOutError extends Error {
  constructor() {
    super('No seat left');
  }
}

/** A tiny show with a fixed number of seats: the invariant a retry must re-check. */
class Show extends EventSourcedAggregate<SeatEvent> {
  readonly guests: string[] = [];

  constructor(
    id: string,
    private readonly seats: number,
  ) {
    super(id);
  }

  book(guest: string): number {
    if (this.guests.length >= this.seats) throw new SoldOutError();
    this.raise({ type: 'seat.booked', data: { guest } });
    return this.guests.length;
  }

  protected apply(event: SeatEvent): void {
    this.guests.push(event.data.guest);
  }
}

const shows: AggregateDescriptor<Show, SeatEvent> = {
  streamName: (tenant, id) => `show-${tenant}-${id}`,
  create: (id) => new Show(id, id.startsWith('arena') ? 100 : 3),
  toDomainEvent: (event: StoredEvent) => ({ type: 'seat.booked', data: { guest: String(event.data.guest) } }),
};

describe('handleCommand on a SQLite event store', () => {
  let dir: string;
  let store: SqliteEventStore;
  let repository: AggregateRepository<Show, SeatEvent>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'handle-command-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db') });
    await store.init();
    repository = new AggregateRepository(store, shows);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const guestsOf = async (id: string) => (await store.readStream(`show-t-${id}`)).map((event) => event.data.guest);

  /** Another writer books a seat behind the command's back. */
  async function bookElsewhere(id: string, guest: string): Promise<void> {
    const show = await repository.load('t', id);
    show.book(guest);
    await repository.save('t', show);
  }

  it('loads, decides and stores, returning what decide returned', async () => {
    const handled = await handleCommand(repository, 't', 's1', (show) => show.book('ada'), { metadata: { actor: 'ada' } });

    expect(handled.result).toBe(1);
    expect(handled.saved).toMatchObject({ count: 1, nextExpectedRevision: 0 });
    expect(await guestsOf('s1')).toEqual(['ada']);
    expect((await store.readStream('show-t-s1'))[0].metadata).toMatchObject({ actor: 'ada' });
  });

  it('stores nothing when decide raises no event', async () => {
    const handled = await handleCommand(repository, 't', 's1', (show) => show.guests.length);
    expect(handled).toEqual({ result: 0, saved: undefined });
    expect(await store.headPosition()).toBe(0);
  });

  it('lets a domain error through unchanged and stores nothing, even after events were raised', async () => {
    for (const guest of ['a', 'b', 'c']) await bookElsewhere('s1', guest);
    const head = await store.headPosition();

    const refusal = handleCommand(repository, 't', 's1', (show) => {
      show.book('d');
      return show.book('e');
    });
    await expect(refusal).rejects.toBeInstanceOf(SoldOutError);

    const afterRaise = handleCommand(repository, 't', 's2', (show) => {
      show.book('x');
      throw new RangeError('changed my mind');
    });
    await expect(afterRaise).rejects.toThrow(new RangeError('changed my mind'));
    expect(await store.headPosition()).toBe(head);
  });

  it('reloads and decides again on the new state after losing a race', async () => {
    await bookElsewhere('s1', 'a');
    const seen: string[][] = [];

    const handled = await handleCommand(repository, 't', 's1', async (show) => {
      seen.push([...show.guests]);
      if (seen.length === 1) await bookElsewhere('s1', 'b');
      return show.book('me');
    });

    expect(seen).toEqual([['a'], ['a', 'b']]);
    expect(handled.result).toBe(3);
    expect(await guestsOf('s1')).toEqual(['a', 'b', 'me']);
  });

  it('re-checks the rules on retry: a race that fills the show turns into the domain error', async () => {
    await bookElsewhere('s1', 'a');
    let attempts = 0;

    const booking = handleCommand(repository, 't', 's1', async (show) => {
      attempts += 1;
      if (attempts === 1) {
        await bookElsewhere('s1', 'b');
        await bookElsewhere('s1', 'c');
      }
      return show.book('me');
    });

    await expect(booking).rejects.toBeInstanceOf(SoldOutError);
    expect(attempts).toBe(2);
    expect(await guestsOf('s1')).toEqual(['a', 'b', 'c']);
  });

  it('gives up after maxAttempts with ConcurrencyConflictError, storing none of its events', async () => {
    let attempts = 0;
    const contended = handleCommand(
      repository,
      't',
      's1',
      async (show) => {
        attempts += 1;
        await bookElsewhere('s1', `rival-${attempts}`);
        return show.book('me');
      },
      { maxAttempts: 2 },
    );

    const error: unknown = await contended.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConcurrencyConflictError);
    expect(error).toMatchObject({ stream: 'show-t-s1', attempts: 2 });
    expect((error as ConcurrencyConflictError).cause).toBeInstanceOf(WrongExpectedRevisionError);
    expect(attempts).toBe(2);
    expect(await guestsOf('s1')).toEqual(['rival-1', 'rival-2']);
  });

  it('tries five times by default', async () => {
    let attempts = 0;
    const contended = handleCommand(repository, 't', 'arena', async (show) => {
      attempts += 1;
      await bookElsewhere('arena', `rival-${attempts}`);
      return show.book('me');
    });
    await expect(contended).rejects.toBeInstanceOf(ConcurrencyConflictError);
    expect(attempts).toBe(5);
  });

  it('always makes at least one attempt, whatever maxAttempts says', async () => {
    for (const maxAttempts of [0, -3, Number.NaN]) {
      const handled = await handleCommand(repository, 't', `s-${maxAttempts}`, (show) => show.book('ada'), { maxAttempts });
      expect(handled.saved).toMatchObject({ count: 1 });
    }
  });

  it('does not retry failures other than a lost race', async () => {
    let attempts = 0;
    const failing = handleCommand(repository, 't', 's1', async (show) => {
      attempts += 1;
      await store.close();
      return show.book('me');
    });
    await expect(failing).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(attempts).toBe(1);
  });
});
