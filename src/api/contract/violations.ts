import type { Violation } from '@bufbuild/protovalidate';
import { invalidArgument, type ApiError } from '../../common/errors/api-error';
import { invalidRequest } from '../../common/errors/http-error-ids';
import { atPath, jsonPath } from './field-path';

/**
 * A rule id that is one of the API's error ids (`COMMAND-3tkej630e6`), as opposed to
 * protovalidate's own rule ids (`string.min_len`, `required`).
 */
const API_ERROR_ID = /^[A-Z]+-[0-9A-Za-z]+$/;

/**
 * The one API error for a request's rule violations: the first violation whose rule carries an
 * API error id becomes that error (its message is the rule's); otherwise every violation is
 * listed in the generic invalid-request error, each naming its field.
 */
export function violationsToApiError(violations: readonly Violation[]): ApiError {
  const specific = violations.find((violation) => API_ERROR_ID.test(violation.ruleId));
  if (specific) return invalidArgument(specific.ruleId, specific.message);
  return invalidRequest(violations.map(describeViolation).join('; '));
}

function describeViolation(violation: Violation): string {
  const last = violation.field[violation.field.length - 1];
  if (last?.kind === 'oneof') {
    const choices = last.fields.map((field) => field.jsonName).join(', ');
    return atPath(jsonPath(violation.field), `must set exactly one of ${choices}`);
  }
  return atPath(jsonPath(violation.field), violation.message);
}
