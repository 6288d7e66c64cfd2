import { fromJson, type DescMessage, type DescMethod, type JsonValue, type MessageShape } from '@bufbuild/protobuf';
import { invalidRequest } from '../../common/errors/http-error-ids';
import { explainJsonError, unknownEnumName } from '../contract/json-errors';
import { validateRequest } from '../contract/validate-request';
import { restMappingOf, type RestMapping } from './http-rule';

/** What the decoder reads of an HTTP request: its parsed JSON body and its path parameters. */
export interface RestRequestParts {
  body?: unknown;
  params?: Record<string, string>;
}

const mappings = new WeakMap<DescMethod, RestMapping>();

/**
 * The one REST decoder of every API version: the JSON body read with the protobuf JSON mapping
 * (unknown fields ignored, as ZITADEL's gateway does), the path parameters set on top, then the
 * request validated like any transport's. Throws the API error for anything it refuses.
 */
export function decodeRestRequest<I extends DescMessage>(method: DescMethod & { input: I }, request: RestRequestParts): MessageShape<I> {
  let mapping = mappings.get(method);
  if (!mapping) mappings.set(method, (mapping = restMappingOf(method)));
  const body = mapping.body === '*' ? bodyObject(request.body) : {};
  // Path parameters go into a copy: the parsed body stays as the client sent it.
  const json = mapping.pathFields.length > 0 ? { ...body } : body;
  for (const name of mapping.pathFields) {
    const field = method.input.fields.find((candidate) => candidate.name === name);
    if (field) json[field.jsonName] = request.params?.[field.jsonName] ?? '';
  }
  let message: MessageShape<I>;
  try {
    message = fromJson(method.input, json as JsonValue, { ignoreUnknownFields: true });
  } catch {
    throw invalidRequest(explainJsonError(method.input, json));
  }
  const unknownEnum = unknownEnumName(method.input, json);
  if (unknownEnum) throw invalidRequest(unknownEnum);
  return validateRequest(method.input, message);
}

/** The body as a JSON object; no body at all reads as `{}`, anything but an object is refused. */
function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('body must be a JSON object');
  return body as Record<string, unknown>;
}
