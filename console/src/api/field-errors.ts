import type { ApiError } from './client';

/** Which form field each of the API's error ids is about; the rest belong to the whole form. */
const FIELD_OF_ERROR_ID: Record<string, string> = {
  'COMMAND-ddqbm9us5p': 'name',
  'INSTANCE-9axkz0jvzm': 'name',
  'COMMAND-39f35d8uri': 'timeout',
  'COMMAND-1r2k6qo6wg': 'endpoint',
  'COMMAND-3tkej630e6': 'condition',
  'COMMAND-w5smb6v7qu': 'condition',
  'COMMAND-5folwn5jws': 'condition',
  'COMMAND-vysplsevt8': 'condition',
  'COMMAND-qu6dfhiioq': 'condition',
  'COMMAND-cdy39t0ksr': 'condition',
  'COMMAND-cndv4lu3x1': 'condition',
  'COMMAND-mo1cmjp5k7': 'targets',
  'COMMAND-56bteot2uj': 'targets',
  'COMMAND-17e8fq1ggk': 'targets',
  'COMMAND-slgj0l4cdz': 'targets',
  'COMMAND-iuch02i656': 'targets',
  'COMMAND-819opvhgjv': 'targets',
  'COMMAND-gbhd3g57oo': 'targets',
};

/** The service's generic invalid-request id; its message starts with the field's path. */
const INVALID_REQUEST_ID = 'REQUEST-7hmv0qz3xk';

export const FORM_LEVEL = 'form';

/** The field an error concerns, out of `fields`, or FORM_LEVEL. */
export function fieldOfError(error: ApiError, fields: readonly string[]): string {
  const known = FIELD_OF_ERROR_ID[error.id];
  if (known && fields.includes(known)) return known;
  if (error.id === INVALID_REQUEST_ID) {
    const path = error.message.split(' ')[0] ?? '';
    const head = path.split(/[.[]/)[0];
    const match = fields.find((field) => field === head || (field === 'type' && /^rest(Webhook|Call|Async)$/.test(head)));
    if (match) return match;
  }
  return FORM_LEVEL;
}
