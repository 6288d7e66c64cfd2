import type { EventStore, EventToAppend, ExpectedRevision } from '@app/event-store';

export interface AppendFigures {
  appends: number;
  events: number;
  seconds: number;
  appendsPerSecond: number;
  eventsPerSecond: number;
}

export interface ReadFigures {
  logSize: number;
  eventsRead: number;
  seconds: number;
  eventsPerSecond: number;
  /** Mean time of the first and of the last 10 pages: equal-ish when page time does not grow with the log. */
  firstPagesMs: number;
  lastPagesMs: number;
  exactlyOnce: boolean;
}

let runCounter = 0;

export function sampleEvent(writer: number, sequence: number): EventToAppend {
  return {
    type: sequence % 3 === 0 ? 'target.added' : 'execution.set',
    tenant: `instance-${writer % 4}`,
    data: {
      targetId: `t-${writer}-${sequence}`,
      name: 'notify-billing',
      endpoint: 'https://billing.example.com/hooks/actions',
      timeout: '10s',
      interruptOnError: sequence % 2 === 0,
    },
    metadata: { correlationId: `c-${writer}-${sequence}`, actor: 'user-123' },
  };
}

/**
 * `writers` concurrent loops, each appending `eventsPerAppend` events per append to its own
 * streams with the exact expected revision, for `seconds`.
 */
export async function measureAppends(store: EventStore, writers: number, eventsPerAppend: number, seconds: number): Promise<AppendFigures> {
  const run = `${process.pid}-${(runCounter += 1)}`;
  let appends = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      const revisions = new Map<string, number>();
      for (let sequence = 0; performance.now() < deadline; sequence += 1) {
        const stream = `bench-${run}-w${writer}-s${sequence % 64}`;
        const expectedRevision: ExpectedRevision = revisions.get(stream) ?? 'no_stream';
        const events = Array.from({ length: eventsPerAppend }, (_, i) => sampleEvent(writer, sequence * eventsPerAppend + i));
        const result = await store.append(stream, events, { expectedRevision });
        revisions.set(stream, result.nextExpectedRevision);
        appends += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    appends,
    events: appends * eventsPerAppend,
    seconds: elapsed,
    appendsPerSecond: Math.round(appends / elapsed),
    eventsPerSecond: Math.round((appends * eventsPerAppend) / elapsed),
  };
}

/** Appends events in large batches until the log holds `target` events in total. */
export async function fillLog(store: EventStore, current: number, target: number): Promise<number> {
  const run = `${process.pid}-fill-${(runCounter += 1)}`;
  let remaining = target - current;
  let nextStream = 0;
  await Promise.all(
    Array.from({ length: 4 }, async (_, writer) => {
      while (remaining > 0) {
        const size = Math.min(1000, remaining);
        remaining -= size;
        const stream = `bench-${run}-${(nextStream += 1)}`;
        const events = Array.from({ length: size }, (_, i) => sampleEvent(writer, i));
        await store.append(stream, events, { expectedRevision: 'no_stream' });
      }
    }),
  );
  return target;
}

/** Reads the whole log in pages of `pageSize`, checking that each event comes exactly once. */
export async function measureReadAll(store: EventStore, logSize: number, pageSize: number): Promise<ReadFigures> {
  const pageMs: number[] = [];
  let position = 0;
  let lastPosition = -1;
  let eventsRead = 0;
  let ordered = true;
  const started = performance.now();
  for (;;) {
    const pageStarted = performance.now();
    const page = await store.readAll({ fromPosition: position, maxCount: pageSize });
    if (page.events.length === pageSize) pageMs.push(performance.now() - pageStarted);
    for (const event of page.events) {
      if (event.position <= lastPosition) ordered = false;
      lastPosition = event.position;
    }
    eventsRead += page.events.length;
    position = page.nextPosition;
    if (page.isEnd) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
  return {
    logSize,
    eventsRead,
    seconds,
    eventsPerSecond: Math.round(eventsRead / seconds),
    firstPagesMs: round2(mean(pageMs.slice(0, 10))),
    lastPagesMs: round2(mean(pageMs.slice(-10))),
    // Strictly increasing positions rule out duplicates; the count rules out losses.
    exactlyOnce: ordered && eventsRead === logSize,
  };
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
