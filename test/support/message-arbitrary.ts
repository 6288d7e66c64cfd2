import { create, fromJson, getOption, type JsonValue, hasOption, ScalarType, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import { DurationSchema, ListValueSchema, StructSchema, TimestampSchema, ValueSchema } from '@bufbuild/protobuf/wkt';
import { field as fieldRules, oneof as oneofRules, type FieldRules } from '@bufbuild/protovalidate/gen/buf/validate/validate_pb.js';
import fc from 'fast-check';

const MAX_DEPTH = 4;
const DEFAULT_MAX_LENGTH = 24;
const DEFAULT_MAX_ITEMS = 3;

/**
 * Random messages of a protobuf type, shaped by its buf.validate rules where the rules bound
 * what is generated (string lengths, list sizes, required fields and oneofs); the caller
 * keeps the ones the service's validation accepts. Unicode text, all three int64 ranges,
 * nested messages and the JSON well-known types.
 */
export function messageArbitrary(message: DescMessage, depth = 0): fc.Arbitrary<Message> {
  const special = wellKnown(message);
  if (special) return special;
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of message.fields) {
    if (field.oneof) continue;
    const rules = rulesOf(field);
    const value = fieldArbitrary(field, rules, depth);
    parts[field.localName] = rules?.required || depth >= MAX_DEPTH ? (rules?.required ? value : fc.constant(undefined)) : fc.option(value, { nil: undefined });
  }
  for (const oneof of message.oneofs) {
    const choices = oneof.fields.map((field) => fieldArbitrary(field, rulesOf(field), depth).map((value) => ({ case: field.localName, value })));
    const required = hasOption(oneof, oneofRules) && getOption(oneof, oneofRules).required;
    parts[oneof.localName] = required ? fc.oneof(...choices) : fc.option(fc.oneof(...choices), { nil: undefined });
  }
  return fc.record(parts).map((init) => create(message, withoutUndefined(init)));
}

function fieldArbitrary(field: DescField, rules: FieldRules | undefined, depth: number): fc.Arbitrary<unknown> {
  if (field.fieldKind === 'list') {
    const repeated = rules?.type.case === 'repeated' ? rules.type.value : undefined;
    const element = elementArbitrary(field, repeated?.items, depth);
    const minLength = Number(repeated?.minItems ?? 0n);
    const maxLength = repeated?.maxItems ? Math.min(Number(repeated.maxItems), DEFAULT_MAX_ITEMS) : DEFAULT_MAX_ITEMS;
    return fc.array(element, { minLength, maxLength: Math.max(minLength, maxLength) });
  }
  if (field.fieldKind === 'map') {
    const value = field.mapKind === 'message' ? messageArbitrary(field.message, depth + 1) : field.mapKind === 'enum' ? enumArbitrary(field.enum.values.map((v) => v.number)) : scalarArbitrary(field.scalar, undefined);
    return fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), value, { maxKeys: DEFAULT_MAX_ITEMS });
  }
  return elementArbitrary(field, rules, depth);
}

function elementArbitrary(field: DescField, rules: FieldRules | undefined, depth: number): fc.Arbitrary<unknown> {
  if (field.message) return messageArbitrary(field.message, depth + 1);
  if (field.enum) return enumArbitrary(field.enum.values.map((value) => value.number));
  return scalarArbitrary(field.scalar ?? ScalarType.STRING, rules);
}

const enumArbitrary = (numbers: number[]): fc.Arbitrary<number> => fc.constantFrom(...numbers);

function scalarArbitrary(scalar: ScalarType, rules: FieldRules | undefined): fc.Arbitrary<unknown> {
  switch (scalar) {
    case ScalarType.STRING: {
      const string = rules?.type.case === 'string' ? rules.type.value : undefined;
      const minLength = Number(string?.minLen ?? 0n);
      const maxLength = string?.maxLen ? Math.min(Number(string.maxLen), DEFAULT_MAX_LENGTH) : DEFAULT_MAX_LENGTH;
      return fc.string({ unit: 'grapheme', minLength, maxLength: Math.max(minLength, maxLength) });
    }
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 16 });
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return integerArbitrary(0n, 4_294_967_295n, rules).map(Number);
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return integerArbitrary(-(2n ** 31n), 2n ** 31n - 1n, rules).map(Number);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return integerArbitrary(0n, 2n ** 64n - 1n, rules);
    default:
      return integerArbitrary(-(2n ** 63n), 2n ** 63n - 1n, rules);
  }
}

/** An integer of the type's range, narrowed by the field's gt/gte/lt/lte rules. */
function integerArbitrary(min: bigint, max: bigint, rules: FieldRules | undefined): fc.Arbitrary<bigint> {
  const bounds = rules?.type.value as { greaterThan?: { case?: string; value?: unknown }; lessThan?: { case?: string; value?: unknown } } | undefined;
  const lower = bounds?.greaterThan?.value;
  const upper = bounds?.lessThan?.value;
  if (lower !== undefined) min = BigInt(lower as bigint | number) + (bounds!.greaterThan!.case === 'gt' ? 1n : 0n);
  if (upper !== undefined) max = BigInt(upper as bigint | number) - (bounds!.lessThan!.case === 'lt' ? 1n : 0n);
  return fc.bigInt({ min, max });
}

function wellKnown(message: DescMessage): fc.Arbitrary<Message> | undefined {
  switch (message.typeName) {
    case DurationSchema.typeName:
      return fc.record({ seconds: fc.bigInt({ min: 0n, max: 315_576_000_000n }), nanos: fc.integer({ min: 0, max: 999_999_999 }) }).map((init) => create(DurationSchema, init));
    case TimestampSchema.typeName:
      return fc.record({ seconds: fc.bigInt({ min: -62_135_596_800n, max: 253_402_300_799n }), nanos: fc.integer({ min: 0, max: 999_999_999 }) }).map((init) => create(TimestampSchema, init));
    case ValueSchema.typeName:
      return fc.jsonValue({ maxDepth: 2 }).map((json) => fromJson(ValueSchema, json as JsonValue));
    case StructSchema.typeName:
      return fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((json) => fromJson(StructSchema, json as JsonValue));
    case ListValueSchema.typeName:
      return fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }).map((json) => fromJson(ListValueSchema, json as JsonValue));
    default:
      return undefined;
  }
}

const rulesOf = (field: DescField): FieldRules | undefined => (hasOption(field, fieldRules) ? getOption(field, fieldRules) : undefined);

const withoutUndefined = (init: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(init).filter(([, value]) => value !== undefined));
