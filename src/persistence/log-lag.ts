import type { EventStore } from '@app/event-store';
import { countEvents } from '@app/eventsourcing';

/** Lags are counted up to here in metrics and status: beyond it a count says "at least". */
export const LAG_COUNT_CAP = 100_000;

/**
 * Events stored after `position`, counted up to `cap` (a result of `cap` means "at least").
 * Positions can be sparse (PostgreSQL), so a position difference over-states the events a
 * reader trails by; counting is exact, and the cap keeps it cheap for a reader far behind.
 */
export function countEventsAfter(store: EventStore, position: number, cap: number): Promise<number> {
  return countEvents(store, { after: position, cap });
}

/** A reader's lag in events, from its position and its lag in positions (0: caught up, nothing to count). */
export function lagInEvents(store: EventStore, position: number, lagPositions: number): Promise<number> {
  return lagPositions === 0 ? Promise.resolve(0) : countEventsAfter(store, position, LAG_COUNT_CAP);
}
