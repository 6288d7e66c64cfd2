/** Protobuf JSON writes 64-bit integers as strings. */
export const formatInt64 = (value: number): string => String(value);
