import fc from 'fast-check';
import { formatDuration, parseDuration } from './duration';

describe('durations', () => {
  it.each([
    ['10s', 10_000_000_000],
    ['0.5s', 500_000_000],
    ['1.000000001s', 1_000_000_001],
    ['0s', 0],
  ])('parses %s', (text, nanos) => {
    expect(parseDuration(text)).toEqual({ ok: true, nanos });
  });

  it.each(['', '10', '10ms', 's', '1.s', '.5s', '1.0000000001s', 'abc', '1e3s', ' 1s', '-1s', '-0.5s', '99999999999999s'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text).ok).toBe(false);
    },
  );

  it('formats without trailing zeros', () => {
    expect(formatDuration(10_000_000_000)).toBe('10s');
    expect(formatDuration(500_000_000)).toBe('0.5s');
    expect(formatDuration(1_000_000_001)).toBe('1.000000001s');
  });

  it('round-trips every representable duration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (nanos) => {
        expect(parseDuration(formatDuration(nanos))).toEqual({ ok: true, nanos });
      }),
    );
  });
});
