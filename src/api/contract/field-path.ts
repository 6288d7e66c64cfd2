import type { Path } from '@bufbuild/protobuf/reflect';

/**
 * A field path as clients name fields: JSON names joined by dots, list indexes as numbers
 * (`condition.request.method`, `targets.0.include`). Empty for the message itself.
 */
export function jsonPath(path: Path): string {
  const parts: string[] = [];
  for (const item of path) {
    switch (item.kind) {
      case 'field':
        parts.push(item.jsonName);
        break;
      case 'list_sub':
        parts.push(String(item.index));
        break;
      case 'map_sub':
        parts.push(String(item.key));
        break;
      default:
        // A oneof names no field of its own: its violation concerns the enclosing message.
        break;
    }
  }
  return parts.join('.');
}

/** `path message`, or the message alone for the request itself. */
export const atPath = (path: string, message: string): string => (path ? `${path} ${message}` : message);
