/**
 * Protobuf JSON durations (`"10s"`, `"0.5s"`, up to nanosecond precision) to and from
 * nanoseconds. Nanoseconds are kept as a JS number, so durations are capped at
 * Number.MAX_SAFE_INTEGER ns (about 104 days), far beyond any sensible call timeout.
 */
const DURATION = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/;
const NANOS_PER_SECOND = 1_000_000_000;

export type DurationParse = { ok: true; nanos: number } | { ok: false; reason: string };

export function parseDuration(text: string): DurationParse {
  const match = DURATION.exec(text);
  if (!match) return { ok: false, reason: 'must be a duration such as "10s" or "0.5s"' };
  const [, sign, seconds, fraction = ''] = match;
  const nanos = Number(seconds) * NANOS_PER_SECOND + Number(fraction.padEnd(9, '0'));
  if (!Number.isSafeInteger(nanos)) return { ok: false, reason: 'is too long' };
  if (sign === '-' && nanos !== 0) return { ok: false, reason: 'must not be negative' };
  return { ok: true, nanos };
}

export function formatDuration(nanos: number): string {
  const seconds = Math.floor(nanos / NANOS_PER_SECOND);
  const fraction = String(nanos % NANOS_PER_SECOND).padStart(9, '0').replace(/0+$/, '');
  return fraction ? `${seconds}.${fraction}s` : `${seconds}s`;
}
