import { isBoolean, isInt, maxLength, minLength } from 'class-validator';
import { ONEOF_PROPERTY } from './decorators';

/**
 * A hand-written reading of one DTO class for the bodies that make up nearly all traffic.
 * It returns the DTO exactly as class-transformer and class-validator would make it
 * (instances of the DTO classes, unknown keys left out), or undefined whenever it is not sure
 * the body is valid: then the pipe runs class-transformer and class-validator, which find the
 * error and word it. It must never accept a body they refuse (a differential test checks it).
 *
 * Why: those libraries look up metadata and build error structures for every object of every
 * body, which cost more than the rest of validating a write and much of its garbage.
 */
export type FastParser<T> = (body: Record<string, unknown>) => T | undefined;

const parsers = new Map<object, FastParser<unknown>>();

/** Registers the fast reading of `dto`; the DTO's module calls it next to the class. */
export function registerFastParser<T extends object>(dto: abstract new () => T, parser: FastParser<T>): void {
  parsers.set(dto, parser);
}

export function fastParserOf(dto: unknown): FastParser<unknown> | undefined {
  return typeof dto === 'function' ? parsers.get(dto) : undefined;
}

/** A JSON object (what IsObject accepts of parsed JSON). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** IsString with MinLength(min) and MaxLength(max), with class-validator's own length rules. */
export function isStringOfLength(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && minLength(value, min) && maxLength(value, max);
}

export { isBoolean, isInt };

/** A DTO instance holding `fields` only, as class-transformer builds it. */
export function dtoOf<T extends object>(dto: new () => T, fields: Partial<T>): T {
  return Object.assign(new dto(), fields);
}

/**
 * Of the keys `branches` of a protobuf oneof, the one `body` carries, when it carries exactly
 * one and none of the others is even present (a null or `false` sibling is left to the slow
 * path, which has its own rules for them). Undefined otherwise.
 */
export function soleBranch<K extends string>(body: Record<string, unknown>, branches: readonly K[]): K | undefined {
  let found: K | undefined;
  for (const branch of branches) {
    if (!Object.hasOwn(body, branch)) continue;
    if (found !== undefined) return undefined;
    found = branch;
  }
  return found;
}

/** The property the oneof rules are anchored on: a body naming it is left to the slow path. */
export function namesOneofAnchor(body: Record<string, unknown>): boolean {
  return Object.hasOwn(body, ONEOF_PROPERTY);
}
