import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import type { ApiError } from '../errors/api-error';
import { invalidRequest } from '../errors/http-error-ids';
import { ONEOF_PROPERTY, type ErrorContext } from './decorators';
import { fastParserOf } from './fast-parsers';

interface Violation {
  path: string;
  message: string;
  apiError?: () => ApiError;
}

function collect(errors: readonly ValidationError[], parentPath: string, into: Violation[]): Violation[] {
  for (const error of errors) {
    const isOneOf = error.property === ONEOF_PROPERTY;
    const path = isOneOf ? parentPath : parentPath ? `${parentPath}.${error.property}` : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      const context = error.contexts?.[constraint] as Partial<ErrorContext> | undefined;
      // class-validator messages start with the property name; the full path replaces it.
      const text = message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message;
      into.push({ path: path || 'body', message: `${path || 'body'} ${text}`, apiError: context?.apiError });
    }
    if (error.children?.length) collect(error.children, path, into);
  }
  return into;
}

/** Maps class-validator failures to one ApiError: the API's own id when a rule defines one. */
export function validationErrorsToApiError(errors: readonly ValidationError[]): ApiError {
  const violations = collect(errors, '', []);
  const specific = violations.find((violation) => violation.apiError);
  if (specific?.apiError) return specific.apiError();
  return invalidRequest(violations.map((violation) => violation.message).join('; ') || 'invalid request');
}

export interface ApiValidationOptions {
  /** Read the bodies of DTOs that have one with their fast parser first (see fast-parsers.ts). Default true. */
  fastParsers?: boolean;
}

/**
 * DTO validation for every route: unknown fields are ignored (stripped), types are not
 * coerced, non-object bodies are refused, and failures name the field.
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  private readonly fastParsers: boolean;

  constructor(options: ApiValidationOptions = {}) {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: false,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => validationErrorsToApiError(errors),
    });
    this.fastParsers = options.fastParsers ?? true;
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw invalidRequest('body must be a JSON object');
    }
    const parsed = this.fastParsers && metadata.type === 'body' ? fastParserOf(metadata.metatype)?.(value as Record<string, unknown>) : undefined;
    return parsed ?? super.transform(value, metadata);
  }
}
