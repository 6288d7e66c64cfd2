/**
 * Protobuf JSON maps 64-bit integers to strings on output and accepts a string or a number
 * on input. Values are kept as JS numbers, which covers every offset and position in use.
 */
export function parseInt64(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) {
    const parsed = Number(value);
    return Number.isSafeInteger(parsed) ? parsed : undefined;
  }
  return undefined;
}

export const formatInt64 = (value: number): string => String(value);
