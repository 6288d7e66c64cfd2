import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { invalidRequest } from '../../common/errors/http-error-ids';
import type { ApiError } from '../../common/errors/api-error';

/**
 * Text rules every string field of every request obeys, checked once over the decoded message:
 * no NUL characters (they end C strings in logs and stores and are never meaningful in a name
 * or URL) and no unpaired UTF-16 surrogates (they are not Unicode text, cannot be encoded as
 * UTF-8 and break stream names). Decoding is transport-specific; this check is not.
 */
const BAD_TEXT = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const hasBadText = (text: string): boolean => BAD_TEXT.test(text);

/** What a string breaking the text rules must be instead, after its field's path. */
export const TEXT_RULE = 'must be Unicode text without NUL characters or unpaired surrogates';

/**
 * Where a bad string sits: the field names and keys from it up to the message, innermost
 * first. Built only on the way back from a bad string, so a clean message costs no path text.
 */
type BadPath = string[];

type Walk = (message: Record<string, unknown>) => BadPath | undefined;

const walks = new WeakMap<DescMessage, Walk>();

/** The first string field (by path) that breaks the text rules, as an API error; else undefined. */
export function checkText(schema: DescMessage, message: object): ApiError | undefined {
  const path = walkOf(schema)(message as Record<string, unknown>);
  return path === undefined ? undefined : invalidRequest(`${path.reverse().join('.')} ${TEXT_RULE}`);
}

/** A walk over the fields of `schema` that can hold text, built once per message type. */
function walkOf(schema: DescMessage): Walk {
  let walk = walks.get(schema);
  if (walk) return walk;
  // Placeholder first: recursive message types find it instead of recursing forever.
  const steps: Walk[] = [];
  walk = (message) => {
    for (const step of steps) {
      const bad = step(message);
      if (bad !== undefined) return bad;
    }
    return undefined;
  };
  walks.set(schema, walk);
  for (const member of schema.members) {
    if (member.kind === 'oneof') {
      const fieldSteps = new Map(member.fields.map((field) => [field.localName, { check: valueCheck(field), name: field.jsonName }] as const));
      steps.push((message) => {
        const chosen = message[member.localName] as { case?: string; value?: unknown } | undefined;
        const field = chosen?.case === undefined ? undefined : fieldSteps.get(chosen.case);
        return within(field?.check(chosen!.value), field?.name ?? '');
      });
    } else {
      const check = valueCheck(member);
      if (check !== noCheck) steps.push((message) => within(check(message[member.localName]), member.jsonName));
    }
  }
  return walk;
}

type ValueCheck = (value: unknown) => BadPath | undefined;
const noCheck: ValueCheck = () => undefined;
const BAD_HERE = (): BadPath => [];

/** A bad path found below `name`, with `name` added on the way up. */
function within(bad: BadPath | undefined, name: string): BadPath | undefined {
  bad?.push(name);
  return bad;
}

function valueCheck(field: DescField): ValueCheck {
  const one = elementCheck(field);
  if (one === noCheck) return noCheck;
  if (field.fieldKind === 'list') {
    return (value) => {
      const list = value as readonly unknown[];
      for (let index = 0; index < list.length; index += 1) {
        const bad = one(list[index]);
        if (bad !== undefined) return within(bad, String(index));
      }
      return undefined;
    };
  }
  if (field.fieldKind === 'map') {
    return (value) => {
      for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
        if (hasBadText(key)) return [key];
        const bad = one(entry);
        if (bad !== undefined) return within(bad, key);
      }
      return undefined;
    };
  }
  return one;
}

function elementCheck(field: DescField): ValueCheck {
  const scalar = field.fieldKind === 'scalar' || field.fieldKind === 'list' || field.fieldKind === 'map' ? scalarOf(field) : undefined;
  if (scalar === ScalarType.STRING) return (value) => (typeof value === 'string' && hasBadText(value) ? BAD_HERE() : undefined);
  const message = field.message;
  // Generated messages hold a Struct field as its plain JSON object, not as a Struct message.
  if (message?.typeName === 'google.protobuf.Struct' && field.fieldKind === 'message') return jsonCheck;
  if (message !== undefined && FREE_FORM.has(message.typeName)) return freeFormCheck;
  if (message === undefined || (field.fieldKind === 'map' && field.mapKind !== 'message') || (field.fieldKind === 'list' && field.listKind !== 'message')) {
    return noCheck;
  }
  return (value) => (value === undefined || value === null ? undefined : walkOf(message)(value as Record<string, unknown>));
}

/** The path of the first string or key in free-form JSON that breaks the text rules. */
const jsonCheck: ValueCheck = (value) => {
  if (typeof value === 'string') return hasBadText(value) ? BAD_HERE() : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, entry] of Object.entries(value)) {
    if (hasBadText(key)) return [key];
    const bad = jsonCheck(entry);
    if (bad !== undefined) return within(bad, key);
  }
  return undefined;
};

/** Messages that stand for free-form JSON: a bad string in them is named by its JSON path. */
const FREE_FORM = new Set(['google.protobuf.Value', 'google.protobuf.ListValue', 'google.protobuf.Struct']);

interface FreeFormMessage {
  $typeName: string;
  kind?: { case: string | undefined; value?: unknown };
  values?: unknown[];
  fields?: Record<string, unknown>;
}

/** A Value, ListValue or Struct message, walked as the JSON it holds (`request.a.1.b`, not its message fields). */
const freeFormCheck: ValueCheck = (value) => {
  const message = value as FreeFormMessage;
  switch (message.$typeName) {
    case 'google.protobuf.Value': {
      const kind = message.kind;
      if (kind?.case === 'stringValue') return hasBadText(kind.value as string) ? BAD_HERE() : undefined;
      return kind?.case === 'structValue' || kind?.case === 'listValue' ? freeFormCheck(kind.value) : undefined;
    }
    case 'google.protobuf.ListValue':
      for (let index = 0; index < message.values!.length; index += 1) {
        const bad = freeFormCheck(message.values![index]);
        if (bad !== undefined) return within(bad, String(index));
      }
      return undefined;
    default:
      for (const [key, entry] of Object.entries(message.fields!)) {
        if (hasBadText(key)) return [key];
        const bad = freeFormCheck(entry);
        if (bad !== undefined) return within(bad, key);
      }
      return undefined;
  }
};

function scalarOf(field: DescField): ScalarType | undefined {
  if (field.fieldKind === 'scalar') return field.scalar;
  if (field.fieldKind === 'list') return field.listKind === 'scalar' ? field.scalar : undefined;
  if (field.fieldKind === 'map') return field.mapKind === 'scalar' ? field.scalar : undefined;
  return undefined;
}
