/**
 * Builds a stream name from a category and the parts that identify one aggregate. Each part
 * is percent-encoded, so the ":" separator never occurs inside a part and different
 * (instance, id) pairs can never produce the same stream.
 */
export const streamName = (category: string, ...parts: readonly string[]): string =>
  [category, ...parts.map((part) => encodeURIComponent(part))].join(':');
