/**
 * Builds a stream name from a category and the parts that identify one aggregate. Each part
 * is percent-encoded, so the ":" separator never occurs inside a part and different
 * (instance, id) pairs can never produce the same stream.
 */
export const streamName = (category: string, ...parts: readonly string[]): string =>
  [category, ...parts.map((part) => encodeURIComponent(part))].join(':');

/** The decoded parts of a stream name built by {@link streamName} with this category. */
export function streamParts(category: string, stream: string): string[] | undefined {
  const [head, ...parts] = stream.split(':');
  if (head !== category) return undefined;
  try {
    return parts.map((part) => decodeURIComponent(part));
  } catch {
    return undefined;
  }
}
