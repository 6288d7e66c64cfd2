import type { EventStore } from '@app/event-store';

const PAGE = 1000;

/**
 * Events stored after `position`, counted up to `cap` (a result of `cap` means "at least").
 * Positions can be sparse (PostgreSQL), so a position difference over-states the events a
 * reader trails by; counting is exact, and the cap keeps it cheap for a reader far behind.
 */
export async function countEventsAfter(store: EventStore, position: number, cap: number): Promise<number> {
  let counted = 0;
  let fromPosition = position + 1;
  while (counted < cap) {
    const page = await store.readAll({ fromPosition, maxCount: Math.min(PAGE, cap - counted) });
    counted += page.events.length;
    if (page.isEnd || page.events.length === 0) break;
    fromPosition = page.nextPosition;
  }
  return Math.min(counted, cap);
}
