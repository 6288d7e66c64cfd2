import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { createValidator } from '@bufbuild/protovalidate';
import { checkText } from './text-rules';
import { violationsToApiError } from './violations';

/**
 * One validator for the process: protovalidate compiles the rules of a message type (and its
 * CEL expressions) on first use and keeps the plan, so each later request only evaluates it.
 */
const validator = createValidator();

/**
 * Every request of every API version and transport passes here once, after decoding and before
 * it is mapped to a command or query: the proto's field rules (buf.validate) and the text rules
 * of every string. Throws the API error; returns the message unchanged.
 */
export function validateRequest<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): MessageShape<Desc> {
  const result = validator.validate(schema, message);
  if (result.kind === 'invalid') throw violationsToApiError(result.violations);
  // An error of the validator itself (a rule it cannot evaluate) is the server's fault: rethrown as is.
  if (result.kind === 'error') throw result.error;
  const badText = checkText(schema, message);
  if (badText) throw badText;
  return message;
}
