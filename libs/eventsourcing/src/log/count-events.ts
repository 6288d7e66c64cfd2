import type { EventFilter, EventStore } from '@app/event-store';

const PAGE = 5_000;

export interface CountEventsOptions {
  /** Count events after this position (exclusive). */
  after: number;
  /** Count events up to this position (inclusive). Default: the end of the log. */
  upTo?: number;
  filter?: EventFilter;
  /** Stop counting here: a result of `cap` means "at least". Default: no cap. */
  cap?: number;
}

/**
 * Events stored in a range of the log. Positions can be sparse (PostgreSQL derives them from
 * transaction ids), so a difference of positions says nothing about how many events lie
 * between them; lags and progress shown to people are counted with this instead.
 */
export async function countEvents(store: EventStore, options: CountEventsOptions): Promise<number> {
  const upTo = options.upTo ?? Number.POSITIVE_INFINITY;
  const cap = options.cap ?? Number.POSITIVE_INFINITY;
  let counted = 0;
  let fromPosition = options.after + 1;
  while (counted < cap && fromPosition <= upTo) {
    const page = await store.readAll({ fromPosition, maxCount: Math.min(PAGE, cap - counted), ...(options.filter && { filter: options.filter }) });
    const inRange = page.events.filter((event) => event.position <= upTo).length;
    counted += inRange;
    if (page.isEnd || page.events.length === 0 || inRange < page.events.length) break;
    fromPosition = page.nextPosition;
  }
  return Math.min(counted, cap);
}
