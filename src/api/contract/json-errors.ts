import { fromJson, ScalarType, type DescEnum, type DescField, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { atPath } from './field-path';

/**
 * Why a JSON body does not decode into `schema` (protobuf JSON mapping), in words that name the
 * field and say what it must be. Used only once fromJson has refused the body: it walks the
 * body along the descriptor to find the first value the mapping refuses, so the library's own
 * texts never reach a client.
 */
export function explainJsonError(schema: DescMessage, json: unknown): string {
  return explainMessage(schema, json, '') ?? 'body is not a valid request (check the field types against the API reference)';
}

function explainMessage(schema: DescMessage, json: unknown, path: string): string | undefined {
  const special = WELL_KNOWN[schema.typeName];
  if (special) return decodes(schema, json) ? undefined : atPath(path || 'body', special);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return atPath(path || 'body', 'must be a JSON object');
  const body = json as Record<string, unknown>;
  for (const oneof of schema.oneofs) {
    const present = oneof.fields.filter((field) => isPresent(body, field));
    if (present.length > 1) return atPath(path, `must set only one of ${oneof.fields.map((field) => field.jsonName).join(', ')} (got ${present.map((field) => keyOf(body, field)).join(', ')})`);
  }
  for (const field of schema.fields) {
    if (!isPresent(body, field)) continue;
    const problem = explainField(field, body[keyOf(body, field)], join(path, field.jsonName));
    if (problem) return problem;
  }
  return undefined;
}

function explainField(field: DescField, value: unknown, path: string): string | undefined {
  switch (field.fieldKind) {
    case 'list': {
      if (!Array.isArray(value)) return atPath(path, 'must be a JSON array');
      for (const [index, item] of value.entries()) {
        const problem = explainElement(field, item, `${path}.${index}`);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return atPath(path, 'must be a JSON object');
      for (const [key, item] of Object.entries(value)) {
        const problem = explainElement(field, item, `${path}.${key}`);
        if (problem) return problem;
      }
      return undefined;
    }
    default:
      return explainElement(field, value, path);
  }
}

function explainElement(field: DescField, value: unknown, path: string): string | undefined {
  if (field.message) return explainMessage(field.message, value, path);
  if (field.enum) return decodesEnum(field.enum, value) ? undefined : atPath(path, `must be one of ${field.enum.values.map((v) => v.name).join(', ')} (or its number)`);
  const scalar = field.scalar ?? ScalarType.STRING;
  return scalarAccepts(scalar, value) ? undefined : atPath(path, SCALAR_EXPECTATION[scalar]);
}

/** Null stands for "not set" in the protobuf JSON mapping, as an absent key does. */
function isPresent(body: Record<string, unknown>, field: DescField): boolean {
  const key = keyOf(body, field);
  return Object.hasOwn(body, key) && body[key] !== null;
}

const keyOf = (body: Record<string, unknown>, field: DescField): string => (Object.hasOwn(body, field.jsonName) ? field.jsonName : field.name);
const join = (path: string, name: string): string => (path ? `${path}.${name}` : name);

function decodes(schema: DescMessage, json: unknown): boolean {
  try {
    fromJson(schema, json as JsonValue);
    return true;
  } catch {
    return false;
  }
}

function decodesEnum(schema: DescEnum, value: unknown): boolean {
  if (typeof value === 'string') return schema.values.some((candidate) => candidate.name === value);
  return typeof value === 'number' && Number.isInteger(value) && value >= -2_147_483_648 && value <= 2_147_483_647;
}

const INT = /^-?\d+$/;

function scalarAccepts(scalar: ScalarType, value: unknown): boolean {
  switch (scalar) {
    case ScalarType.STRING:
      return typeof value === 'string';
    case ScalarType.BOOL:
      return typeof value === 'boolean';
    case ScalarType.BYTES:
      return typeof value === 'string';
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)));
    default:
      // Integers: a JSON number or a decimal string, within the type's range.
      return (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && INT.test(value) && integerInRange(scalar, BigInt(value)));
  }
}

function integerInRange(scalar: ScalarType, value: bigint): boolean {
  switch (scalar) {
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return value >= 0n && value <= 4_294_967_295n;
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return value >= -2_147_483_648n && value <= 2_147_483_647n;
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return value >= 0n && value <= 18_446_744_073_709_551_615n;
    default:
      return value >= -9_223_372_036_854_775_808n && value <= 9_223_372_036_854_775_807n;
  }
}

const SCALAR_EXPECTATION: Record<ScalarType, string> = {
  [ScalarType.STRING]: 'must be a string',
  [ScalarType.BOOL]: 'must be true or false',
  [ScalarType.BYTES]: 'must be base64 text',
  [ScalarType.DOUBLE]: 'must be a number',
  [ScalarType.FLOAT]: 'must be a number',
  [ScalarType.INT32]: 'must be a 32-bit integer',
  [ScalarType.SINT32]: 'must be a 32-bit integer',
  [ScalarType.SFIXED32]: 'must be a 32-bit integer',
  [ScalarType.UINT32]: 'must be an integer from 0 to 4294967295',
  [ScalarType.FIXED32]: 'must be an integer from 0 to 4294967295',
  [ScalarType.INT64]: 'must be a 64-bit integer (a number or a decimal string)',
  [ScalarType.SINT64]: 'must be a 64-bit integer (a number or a decimal string)',
  [ScalarType.SFIXED64]: 'must be a 64-bit integer (a number or a decimal string)',
  [ScalarType.UINT64]: 'must be a non-negative integer (a number or a decimal string)',
  [ScalarType.FIXED64]: 'must be a non-negative integer (a number or a decimal string)',
};

/** Well-known types with a JSON form of their own. */
const WELL_KNOWN: Record<string, string | undefined> = {
  'google.protobuf.Duration': 'must be a duration such as "10s" or "0.5s"',
  'google.protobuf.Timestamp': 'must be an RFC 3339 timestamp such as "2024-06-25T13:35:39.383Z"',
  'google.protobuf.FieldMask': 'must be a field mask such as "name,endpoint"',
  'google.protobuf.Empty': 'must be an empty JSON object',
  'google.protobuf.Struct': 'must be a JSON object',
  'google.protobuf.ListValue': 'must be a JSON array',
  // Any JSON at all: free-form values are the client's own, never read as protobuf fields.
  'google.protobuf.Value': 'must be JSON',
};

/**
 * A string enum value that names no value of its enum, as the refusal to send. The protobuf
 * JSON mapping drops such values silently when unknown fields are ignored (a newer client's
 * value on an older server); this API refuses them instead, since a dropped sorting column or
 * text match would quietly change the answer.
 */
export function unknownEnumName(schema: DescMessage, json: unknown, path = ''): string | undefined {
  if (!hasEnums(schema) || typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const body = json as Record<string, unknown>;
  for (const field of schema.fields) {
    if (!(field.enum || (field.message && hasEnums(field.message))) || !isPresent(body, field)) continue;
    const value = body[keyOf(body, field)];
    const fieldPath = join(path, field.jsonName);
    const items = field.fieldKind === 'list' && Array.isArray(value) ? value.map((item, index) => [item, `${fieldPath}.${index}`] as const) : [[value, fieldPath] as const];
    for (const [item, itemPath] of items) {
      const problem = field.enum
        ? typeof item === 'string' && !field.enum.values.some((candidate) => candidate.name === item)
          ? atPath(itemPath, `must be one of ${field.enum.values.map((v) => v.name).join(', ')} (or its number)`)
          : undefined
        : unknownEnumName(field.message!, item, itemPath);
      if (problem) return problem;
    }
  }
  return undefined;
}

const enumBearing = new WeakMap<DescMessage, boolean>();

function hasEnums(schema: DescMessage): boolean {
  const known = enumBearing.get(schema);
  if (known !== undefined) return known;
  // Free-form JSON (Value, Struct, ListValue) names no enum values, whatever keys it holds.
  if (WELL_KNOWN[schema.typeName] !== undefined) {
    enumBearing.set(schema, false);
    return false;
  }
  enumBearing.set(schema, false); // recursive types: assume none while looking
  const found = schema.fields.some((field) => field.enum !== undefined || (field.message !== undefined && hasEnums(field.message)));
  enumBearing.set(schema, found);
  return found;
}
