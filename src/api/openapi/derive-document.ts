import type { DescMessage, DescService } from '@bufbuild/protobuf';
import type { OperationObject, ParameterObject, PathsObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { openApiPath, restMappingOf } from '../rest/http-rule';
import { MessageSchemas } from './message-schemas';
import type { ServiceDocs } from './service-docs';
import { ApiError, type StatusCode, toStatusBody } from '../../common/errors/api-error';
import { internalError, invalidRequest, storeUnavailable, unsupportedMediaType } from '../../common/errors/http-error-ids';
import { missingTokenError, permissionDeniedError } from '../../auth/auth-errors';

const json = (schema: object, description: string, example?: object): ResponseObject => ({
  description,
  content: { 'application/json': { schema, ...(example ? { example } : {}) } },
});
export const STATUS_REF = { $ref: '#/components/schemas/Status' };

/**
 * An error response; its example is the body the service answers (built by the same error
 * builders), or, for a documented rule, the code and error id its description names.
 */
const error = (description: string, example = exampleFromDescription(description)): ResponseObject =>
  json(STATUS_REF, description, example && toStatusBody(example));

/** Errors any authenticated API call can answer. */
export const COMMON_ERRORS: Record<string, ResponseObject> = {
  '400': error('Invalid argument (code 3; the message names the field) or failed precondition (code 9)', invalidRequest('name must be at most 200 characters')),
  '401': error('No or invalid bearer token (code 16)', missingTokenError()),
  '403': error('The token lacks the permission (code 7, AUTH-5mWD2)', permissionDeniedError('execution.write')),
  '415': error(
    'The body is not sent as UTF-8 JSON with Content-Type: application/json, uncompressed (code 3, REQUEST-8fw3n6tq1k)',
    unsupportedMediaType('Send the body as JSON with Content-Type: application/json'),
  ),
  '500': error('Internal error (code 13)', internalError()),
  '503': error('A store is unavailable (code 14); retry later', storeUnavailable()),
};

/** "No such target (code 5, COMMAND-xj14f2cccn)" -> that error; undefined unless both code and id are named. */
function exampleFromDescription(description: string): ApiError | undefined {
  const match = /^(.*?)\s*\(code (\d+), ([A-Z]+-[A-Za-z0-9]+)\)/.exec(description);
  if (!match) return undefined;
  return new ApiError(Number(match[2]) as StatusCode, match[3]!, match[1]!);
}

/**
 * The REST paths and schemas of API services, from their descriptors: paths and verbs from
 * `google.api.http`, request and response schemas from the messages (with the limits of their
 * buf.validate rules), summaries, permissions and examples from the version's docs table.
 */
export function deriveServicePaths(services: readonly ServiceDocs[]): { paths: PathsObject; schemas: Record<string, SchemaObject> } {
  const schemas = new MessageSchemas(inputTypes(services.map((docs) => docs.service)), uniqueShortNames(services.map((docs) => docs.service)));
  const paths: PathsObject = {};
  for (const { service, permissions, rpcs } of services) {
    for (const method of service.methods) {
      const mapping = restMappingOf(method);
      const doc = rpcs[method.localName];
      const permission = permissions[method.localName];
      const operation: OperationObject = {
        operationId: method.name,
        summary: `${doc.summary} (${permission === undefined ? 'any valid token' : `permission ${permission}`})`,
        tags: [doc.tag],
        parameters: mapping.pathFields.map((name): ParameterObject => {
          const field = method.input.fields.find((candidate) => candidate.name === name)!;
          return { name: field.jsonName, in: 'path', required: true, schema: schemas.fieldSchema(field, true) };
        }),
        responses: {
          [String(doc.status ?? 200)]: json(schemas.ref(method.output), 'Success'),
          ...COMMON_ERRORS,
          ...Object.fromEntries(Object.entries(doc.errors ?? {}).map(([status, description]) => [status, error(description)])),
        },
      };
      if (mapping.body === '*') {
        operation.requestBody = {
          required: true,
          content: { 'application/json': { schema: schemas.ref(method.input), ...(doc.example ? { example: doc.example } : {}) } },
        };
      }
      const path = openApiPath(method, mapping.template);
      paths[path] = { ...paths[path], [mapping.verb]: operation };
    }
  }
  return { paths, schemas: schemas.all() };
}

/** Every message type reachable from a request. */
function inputTypes(services: readonly DescService[]): Set<string> {
  const seen = new Set<string>();
  const visit = (message: DescMessage): void => {
    if (seen.has(message.typeName)) return;
    seen.add(message.typeName);
    for (const field of message.fields) if (field.message) visit(field.message);
  };
  for (const service of services) for (const method of service.methods) visit(method.input);
  return seen;
}

/**
 * Type names that keep their short name: the first reachable type of each short name, in the
 * order of the services (so the first service's schemas keep their names when a later version
 * declares messages of the same names; those get their full names).
 */
function uniqueShortNames(services: readonly DescService[]): Set<string> {
  const owners = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (message: DescMessage): void => {
    if (seen.has(message.typeName)) return;
    seen.add(message.typeName);
    if (!owners.has(message.name)) owners.set(message.name, message.typeName);
    for (const field of message.fields) if (field.message) visit(field.message);
  };
  for (const service of services) for (const method of service.methods) [method.input, method.output].forEach(visit);
  return new Set(owners.values());
}
