import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * OpenAPI schemas checked against the TypeScript type of the JSON they describe: a schema built
 * with objectSchema<T> must list every key of T, no other, with a schema of the key's JSON type,
 * `nullable: true` exactly where the value can be null and optional() exactly where the key can
 * be absent; `required` is derived from those. Nested objects and arrays take a TypedSchema of
 * their own type, so a field added, removed or renamed anywhere fails the type check.
 */
declare const describes: unique symbol;

/** A schema (or a reference to one) of values of type T; built by the helpers below, never by hand. */
export type TypedSchema<T> = (SchemaObject | ReferenceObject) & Describes<T>;

/** A TypedSchema that is no reference, so it can be a component of the document. */
export type ComponentSchema<T> = SchemaObject & Describes<T>;

interface Describes<T> {
  readonly [describes]: (value: T) => T;
}

type JsonType<V> = V extends string ? 'string' : V extends number ? 'integer' | 'number' : V extends boolean ? 'boolean' : never;

type Nullability<V> = null extends V ? { nullable: true } : { nullable?: false };

/** The schema of a string, number or boolean property: its JSON type, and enum values of the type only. */
type PrimitiveSchema<V> = Omit<SchemaObject, 'type' | 'enum' | 'nullable' | 'items' | 'properties' | 'required'> & { type: JsonType<NonNullable<V>>; enum?: NonNullable<V>[] } & Nullability<V>;

/** The schema a value of type V takes: primitives by hand, objects and arrays built with the helpers. */
export type PropertySchema<V> = NonNullable<V> extends string | number | boolean ? PrimitiveSchema<V> : TypedSchema<V>;

const optionalMark: unique symbol = Symbol('optional');

/** The schema of a key that can be absent; see optional(). */
export interface OptionalProperty<S> {
  readonly [optionalMark]: S;
}

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/** Every key of T with its schema; the optional ones wrapped in optional(). */
export type PropertySchemas<T> = { [K in keyof T]-?: K extends OptionalKeys<T> ? OptionalProperty<PropertySchema<Exclude<T[K], undefined>>> : PropertySchema<T[K]> };

/** A property the object may leave out (left out of `required`). */
export function optional<S>(schema: S): OptionalProperty<S> {
  return { [optionalMark]: schema };
}

const isOptional = (schema: object): schema is OptionalProperty<SchemaObject | ReferenceObject> => optionalMark in schema;

/** An object schema of T: its properties in the order given, `required` the keys neither optional nor nullable. */
export function objectSchema<T extends object>(properties: PropertySchemas<T>, extra: Pick<SchemaObject, 'description'> = {}): ComponentSchema<T> {
  const entries = Object.entries<SchemaObject | ReferenceObject | OptionalProperty<SchemaObject | ReferenceObject>>(properties);
  const required = entries.filter(([, schema]) => !isOptional(schema) && !('nullable' in schema && schema.nullable === true)).map(([key]) => key);
  const schemas = entries.map(([key, schema]) => [key, isOptional(schema) ? schema[optionalMark] : schema] as const);
  // OpenAPI 3.0 wants `required` left out rather than empty.
  return { type: 'object', ...extra, ...(required.length > 0 && { required }), properties: Object.fromEntries(schemas) } as ComponentSchema<T>;
}

/** An array of items of type E. */
export function arraySchema<E>(items: PropertySchema<E>): ComponentSchema<E[]> {
  const schema: SchemaObject = { type: 'array', items };
  return schema as ComponentSchema<E[]>;
}

/** The same schema, or null. */
export function nullable<T>(schema: TypedSchema<T>): TypedSchema<T | null> {
  return ('$ref' in schema ? { allOf: [schema], nullable: true } : { ...schema, nullable: true }) as TypedSchema<T | null>;
}

/**
 * References to the given components of the document, by the same names and types: spread the
 * components into the document's schemas and use the references in the others.
 */
export function refsTo<S extends Record<string, SchemaObject>>(components: S): RefsTo<S> {
  return Object.fromEntries(Object.keys(components).map((name) => [name, { $ref: `#/components/schemas/${name}` }])) as RefsTo<S>;
}

type RefsTo<S> = { [K in keyof S]: S[K] extends Describes<infer T> ? TypedSchema<T> : ReferenceObject };
