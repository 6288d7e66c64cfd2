import { ScalarType, toJson, type DescField, type DescMessage } from '@bufbuild/protobuf';
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { FeatureSet_FieldPresence, ListValueSchema, StructSchema, ValueSchema, type ListValue, type Struct, type Value } from '@bufbuild/protobuf/wkt';

/**
 * A response message as the REST API writes it: the protobuf JSON mapping with every field of
 * implicit presence written out (`"interruptOnError": false`, `"result": []`), timestamps always
 * with milliseconds (`2024-06-25T13:35:39.000Z`) and durations in their shortest form (`"0.5s"`),
 * as ZITADEL's gateway answers. Written from the descriptor, so a new message needs no code here.
 */
export function toRestJson(schema: DescMessage, message: object): JsonObject {
  return writerOf(schema)(message as Record<string, unknown>) as JsonObject;
}

type Writer = (value: Record<string, unknown>) => JsonValue;

const writers = new WeakMap<DescMessage, Writer>();

function writerOf(schema: DescMessage): Writer {
  const cached = writers.get(schema);
  if (cached) return cached;
  const special = WELL_KNOWN[schema.typeName];
  if (special) {
    writers.set(schema, special);
    return special;
  }
  const steps: ((message: Record<string, unknown>, json: JsonObject) => void)[] = [];
  const writer: Writer = (message) => {
    const json: JsonObject = {};
    for (const step of steps) step(message, json);
    return json;
  };
  writers.set(schema, writer);
  for (const member of schema.members) {
    if (member.kind === 'oneof') {
      const byCase = new Map(member.fields.map((field) => [field.localName, { name: field.jsonName, write: valueWriter(field) }] as const));
      steps.push((message, json) => {
        const chosen = message[member.localName] as { case?: string; value?: unknown };
        const field = chosen.case === undefined ? undefined : byCase.get(chosen.case);
        if (field) json[field.name] = field.write(chosen.value);
      });
      continue;
    }
    const write = valueWriter(member);
    const explicit = member.fieldKind === 'message' || member.presence === FeatureSet_FieldPresence.EXPLICIT;
    steps.push((message, json) => {
      const value = message[member.localName];
      if (explicit && value === undefined) return;
      json[member.jsonName] = write(value);
    });
  }
  return writer;
}

function valueWriter(field: DescField): (value: unknown) => JsonValue {
  switch (field.fieldKind) {
    case 'list': {
      const element = elementWriter(field);
      return (value) => (value as unknown[]).map(element);
    }
    case 'map': {
      const element = elementWriter(field);
      return (value) => Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, entry]) => [key, element(entry)]));
    }
    default:
      return elementWriter(field);
  }
}

function elementWriter(field: DescField): (value: unknown) => JsonValue {
  const message = field.message;
  if (message) return (value) => writerOf(message)(value as Record<string, unknown>);
  const enumType = field.enum;
  if (enumType) return (value) => enumType.value[value as number]?.name ?? (value as number);
  const scalar = field.scalar ?? ScalarType.STRING;
  switch (scalar) {
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return (value) => String(value);
    case ScalarType.BYTES:
      return (value) => Buffer.from(value as Uint8Array).toString('base64');
    default:
      return (value) => value as JsonValue;
  }
}

const NANOS_PER_MILLI = 1_000_000;

const WELL_KNOWN: Record<string, Writer | undefined> = {
  'google.protobuf.Timestamp': (value) => new Date(Number(value.seconds as bigint) * 1000 + Math.floor((value.nanos as number) / NANOS_PER_MILLI)).toISOString(),
  // Free-form JSON is written as the JSON it holds.
  'google.protobuf.Value': (value) => toJson(ValueSchema, value as unknown as Value),
  // A Struct field is already its JSON object in generated messages.
  'google.protobuf.Struct': (value) => ('$typeName' in value ? toJson(StructSchema, value as unknown as Struct) : (value as JsonObject)),
  'google.protobuf.ListValue': (value) => toJson(ListValueSchema, value as unknown as ListValue),
  'google.protobuf.Duration': (value) => {
    const fraction = String(value.nanos as number)
      .padStart(9, '0')
      .replace(/0+$/, '');
    return fraction ? `${String(value.seconds)}.${fraction}s` : `${String(value.seconds)}s`;
  },
};
