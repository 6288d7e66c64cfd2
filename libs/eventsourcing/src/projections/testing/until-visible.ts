import type { EventStore } from '@app/event-store';

/**
 * Waits until the store's head shows `position`. On PostgreSQL the head stops below any
 * transaction still open in the same database (other tests' included), so an append can
 * stay invisible to readers for a moment after it returned; once visible it stays visible.
 * Tests that assert what `catchUp` (which reads the head) reduced wait for this first.
 */
export async function untilVisible(store: EventStore, position: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while ((await store.headPosition()) < position) {
    if (Date.now() > deadline) throw new Error(`Position ${position} did not become readable within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return position;
}
