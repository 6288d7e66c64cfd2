import fc from 'fast-check';
import { eventPosition, isAfterEvent, logPositionOf, positionAfter, readStartFor } from './positions';

const offset = fc.bigInt({ min: 0n, max: BigInt(Math.floor(Number.MAX_SAFE_INTEGER / 2)) });
const at = (value: bigint) => ({ commit: value, prepare: value });

describe('EventStoreDB positions', () => {
  it('orders events as $all does and never gives two events the same position', () => {
    fc.assert(
      fc.property(offset, offset, (a, b) => {
        fc.pre(a !== b);
        expect(eventPosition(at(a)) < eventPosition(at(b))).toBe(a < b);
      }),
    );
  });

  it('maps every event position and the position after it back to the record the server accepts', () => {
    fc.assert(
      fc.property(offset, (value) => {
        const position = eventPosition(at(value));
        expect(Number.isSafeInteger(position)).toBe(true);
        expect(logPositionOf(position)).toEqual(at(value));
        expect(logPositionOf(positionAfter(position))).toEqual(at(value));
        expect(isAfterEvent(position)).toBe(false);
        expect(isAfterEvent(positionAfter(position))).toBe(true);
      }),
    );
  });

  it('reads from a position inclusively and from "after" a position without the event itself', () => {
    const event = eventPosition(at(4_242n));
    expect(readStartFor(event)).toEqual({ from: at(4_242n), dropBelow: event });
    // The event at 4242 has a position below the bound, so the reader drops it.
    expect(readStartFor(positionAfter(event))).toEqual({ from: at(4_242n), dropBelow: event + 1 });
    expect(readStartFor(0)).toEqual({ from: 'start', dropBelow: 0 });
    expect(readStartFor(-5)).toEqual({ from: 'start', dropBelow: 0 });
  });

  it('refuses log offsets a JS number could not carry exactly', () => {
    expect(() => eventPosition(at(BigInt(Number.MAX_SAFE_INTEGER)))).toThrow(RangeError);
  });
});
