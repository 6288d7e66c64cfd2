import { getOption, hasOption, ScalarType, type DescEnum, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { FeatureSet_FieldPresence } from '@bufbuild/protobuf/wkt';
import { field as fieldRules, oneof as oneofRules, type FieldRules } from '@bufbuild/protovalidate/gen/buf/validate/validate_pb.js';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { FieldBehavior, field_behavior } from '../../grpc/gen/google/api/field_behavior_pb';

/**
 * OpenAPI schemas of protobuf messages, in their JSON form: JSON names, int64 as strings (also
 * numbers on input), enums by name (also numbers on input), well-known types as their JSON
 * strings, and the limits of the buf.validate rules (lengths, item counts, required fields and
 * oneofs). Derived from the descriptors, so the document says what the service enforces.
 */
export class MessageSchemas {
  private readonly schemas: Record<string, SchemaObject> = {};
  private readonly names = new Map<string, string>();

  /**
   * @param inputs message types reachable from requests (they accept the lenient forms)
   * @param shortNames type names that may go by their short name (no other type shares it)
   */
  constructor(
    private readonly inputs: ReadonlySet<string>,
    private readonly shortNames: ReadonlySet<string>,
  ) {}

  /** A reference to the schema of `message`, adding it (and what it uses) to the components. */
  ref(message: DescMessage): SchemaObject | ReferenceObject {
    const special = WELL_KNOWN[message.typeName];
    if (special) return special;
    const name = this.nameOf(message);
    if (!(name in this.schemas)) {
      this.schemas[name] = {}; // placeholder: recursive types refer to it while it is built
      this.schemas[name] = this.messageSchema(message);
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  all(): Record<string, SchemaObject> {
    return this.schemas;
  }

  /** The schema of one field, as it appears in a path parameter or a property. */
  fieldSchema(field: DescField, input: boolean): SchemaObject | ReferenceObject {
    const rules = hasOption(field, fieldRules) ? getOption(field, fieldRules) : undefined;
    if (field.fieldKind === 'list') {
      const repeated = rules?.type.case === 'repeated' ? rules.type.value : undefined;
      return {
        type: 'array',
        items: this.elementSchema(field, input, repeated?.items),
        ...(repeated?.minItems !== undefined && repeated.minItems > 0n ? { minItems: Number(repeated.minItems) } : {}),
        ...(repeated?.maxItems !== undefined && repeated.maxItems > 0n ? { maxItems: Number(repeated.maxItems) } : {}),
      };
    }
    if (field.fieldKind === 'map') return { type: 'object', additionalProperties: this.elementSchema(field, input, undefined) };
    return this.elementSchema(field, input, rules);
  }

  private nameOf(message: DescMessage): string {
    let name = this.names.get(message.typeName);
    if (!name) {
      name = this.shortNames.has(message.typeName) ? message.name : message.typeName.replaceAll('.', '_');
      this.names.set(message.typeName, name);
    }
    return name;
  }

  private messageSchema(message: DescMessage): SchemaObject {
    const input = this.inputs.has(message.typeName);
    const properties: Record<string, SchemaObject | ReferenceObject> = {};
    const required: string[] = [];
    for (const field of message.fields) {
      properties[field.jsonName] = this.fieldSchema(field, input);
      if (isRequired(field, input)) required.push(field.jsonName);
    }
    const choices = message.oneofs.map((oneof) => {
      const names = oneof.fields.map((field) => `\`${field.jsonName}\``).join(', ');
      const mandatory = hasOption(oneof, oneofRules) && getOption(oneof, oneofRules).required;
      return `${mandatory ? 'Exactly' : 'At most'} one of ${names}.`;
    });
    return {
      type: 'object',
      ...(choices.length > 0 ? { description: choices.join(' ') } : {}),
      properties,
      ...(required.length > 0 ? { required } : {}),
    };
  }

  private elementSchema(field: DescField, input: boolean, rules: FieldRules | undefined): SchemaObject | ReferenceObject {
    if (field.message) return this.ref(field.message);
    if (field.enum) return enumSchema(field.enum, input);
    return scalarSchema(field.scalar ?? ScalarType.STRING, input, rules);
  }
}

/**
 * Required on input: what the rules require. On output: every field the service always writes
 * (not in a oneof, not optional, not marked OPTIONAL by google.api.field_behavior).
 */
function isRequired(field: DescField, input: boolean): boolean {
  const rules = hasOption(field, fieldRules) ? getOption(field, fieldRules) : undefined;
  if (input) return rules?.required === true;
  const behaviors = hasOption(field, field_behavior) ? getOption(field, field_behavior) : [];
  return field.oneof === undefined && !(field.fieldKind === 'scalar' && field.presence === FeatureSet_FieldPresence.EXPLICIT) && !behaviors.includes(FieldBehavior.OPTIONAL);
}

function enumSchema(enumType: DescEnum, input: boolean): SchemaObject {
  const names: SchemaObject = { type: 'string', enum: enumType.values.map((value) => value.name) };
  return input ? { oneOf: [names, { type: 'integer', description: 'the value number' }] } : names;
}

const INT64: SchemaObject = { type: 'string', format: 'int64' };

function scalarSchema(scalar: ScalarType, input: boolean, rules: FieldRules | undefined): SchemaObject {
  switch (scalar) {
    case ScalarType.STRING: {
      const string = rules?.type.case === 'string' ? rules.type.value : undefined;
      return {
        type: 'string',
        ...(string?.minLen !== undefined && string.minLen > 0n ? { minLength: Number(string.minLen) } : {}),
        ...(string?.maxLen !== undefined && string.maxLen > 0n ? { maxLength: Number(string.maxLen) } : {}),
      };
    }
    case ScalarType.BOOL:
      return { type: 'boolean' };
    case ScalarType.BYTES:
      return { type: 'string', format: 'byte' };
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return { type: 'number' };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: 'integer', minimum: 0, maximum: 4_294_967_295 };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: 'integer', format: 'int32' };
    default:
      // 64-bit integers are JSON strings; requests may also send them as numbers.
      return input ? { oneOf: [INT64, { type: 'integer' }] } : INT64;
  }
}

const WELL_KNOWN: Record<string, SchemaObject | undefined> = {
  'google.protobuf.Duration': { type: 'string', description: 'Duration: seconds with up to 9 fractional digits and the suffix `s`', pattern: '^-?\\d+(\\.\\d{1,9})?s$', example: '10s' },
  'google.protobuf.Timestamp': { type: 'string', format: 'date-time', example: '2024-06-25T13:35:39.383Z' },
  'google.protobuf.Empty': { type: 'object', properties: {} },
  'google.protobuf.FieldMask': { type: 'string', example: 'name,endpoint' },
  'google.protobuf.Value': { description: 'Any JSON value' },
  'google.protobuf.Struct': { type: 'object', description: 'Any JSON object', additionalProperties: true },
  'google.protobuf.ListValue': { type: 'array', description: 'Any JSON array', items: {} },
};
