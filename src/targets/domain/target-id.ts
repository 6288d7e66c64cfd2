import { randomInt } from 'node:crypto';

const EPOCH_MS = Date.UTC(2020, 0, 1);

/**
 * A ZITADEL-like opaque id: 18 decimal digits, milliseconds since 2020 (12 digits until the
 * 2050s) followed by 6 random digits, so ids roughly sort by creation and two ids collide
 * only if created in the same millisecond with the same one-in-a-million draw.
 */
export function newTargetId(now: number = Date.now()): string {
  const time = String(Math.max(0, now - EPOCH_MS)).padStart(12, '0');
  return time + String(randomInt(1_000_000)).padStart(6, '0');
}
