import { ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';
import type { ApiError } from '../errors/api-error';
import { parseDuration } from '../json/duration';
import { parseInt64 } from '../json/int64';

/**
 * Validation context that makes the failure surface as a specific API error instead of the
 * generic invalid-request one (for the cases where the API defines an error id).
 */
export interface ErrorContext {
  apiError: () => ApiError;
}

export const withApiError = (apiError: () => ApiError): ValidationOptions => ({ context: { apiError } satisfies ErrorContext });

/** Property name used for oneof checks; it holds no data, it only anchors the rule. */
export const ONEOF_PROPERTY = 'oneof';

/** A oneof branch counts as set unless absent, null or `false` (`"all": false` sets nothing). */
const isSet = (value: unknown): boolean => value !== undefined && value !== null && value !== false;

export interface OneOfOptions {
  /** At least one branch must be set (default true). */
  required?: boolean;
  /** Error when no branch is set, if the API defines one. */
  whenNone?: () => ApiError;
}

/**
 * Protobuf oneof on the enclosing object: at most one (and, when required, exactly one) of
 * `branches` is set. Put it on a declared but never-sent property named {@link ONEOF_PROPERTY}.
 */
export function OneOf(branches: readonly string[], options: OneOfOptions = {}): PropertyDecorator {
  const list = branches.join(', ');
  const countSet = (args: ValidationArguments | undefined): number =>
    args ? branches.filter((branch) => isSet((args.object as Record<string, unknown>)[branch])).length : 0;
  const exclusive = ValidateBy({
    name: 'oneofExclusive',
    validator: { validate: (_value, args) => countSet(args) <= 1, defaultMessage: () => `must set only one of ${list}` },
  });
  const required = ValidateBy(
    { name: 'oneofRequired', validator: { validate: (_value, args) => countSet(args) >= 1, defaultMessage: () => `must set one of ${list}` } },
    options.whenNone ? withApiError(options.whenNone) : undefined,
  );
  return (target, propertyKey) => {
    exclusive(target, propertyKey);
    if (options.required ?? true) required(target, propertyKey);
  };
}

/** Required list with at least one element; `apiError` replaces the generic error. */
export function NonEmptyList(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'nonEmptyList',
      validator: {
        validate: (value) => value !== undefined && value !== null && (!Array.isArray(value) || value.length > 0),
        defaultMessage: () => 'must contain at least one element',
      },
    },
    validationOptions,
  );
}

/** Protobuf JSON duration string such as "10s" or "0.5s" (zero allowed; domain rules decide). */
export function IsDuration(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDuration',
      validator: {
        validate: (value) => typeof value === 'string' && parseDuration(value).ok,
        defaultMessage: (args) => {
          const parsed = typeof args?.value === 'string' ? parseDuration(args.value) : undefined;
          return parsed && !parsed.ok ? parsed.reason : 'must be a duration string such as "10s" or "0.5s"';
        },
      },
    },
    validationOptions,
  );
}

/** 64-bit integer as a JSON string or number, within [min, Number.MAX_SAFE_INTEGER]. */
export function IsInt64(min = 0, validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInt64',
      validator: {
        validate: (value) => {
          const parsed = parseInt64(value);
          return parsed !== undefined && parsed >= min;
        },
        defaultMessage: () => `must be an integer (string or number) not less than ${min}`,
      },
    },
    validationOptions,
  );
}

/** Protobuf enum: its value name or its number. */
export function IsProtoEnum(names: readonly string[], validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isProtoEnum',
      validator: {
        validate: (value) => parseProtoEnum(names, value) !== undefined,
        defaultMessage: () => `must be one of ${names.join(', ')} (or its number)`,
      },
    },
    validationOptions,
  );
}

/** The enum value's index for a name or number, undefined for anything else. */
export function parseProtoEnum(names: readonly string[], value: unknown): number | undefined {
  if (typeof value === 'string') {
    const index = names.indexOf(value);
    return index >= 0 ? index : undefined;
  }
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < names.length ? value : undefined;
}
