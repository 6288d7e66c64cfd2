import { getOption, hasOption, type DescMethod } from '@bufbuild/protobuf';
import { http } from '../../grpc/gen/google/api/annotations_pb';

export type HttpVerb = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** A method's REST mapping, read from its `google.api.http` option. */
export interface RestMapping {
  verb: HttpVerb;
  /** The path template as the proto states it: `/v3alpha/targets/{target_id}`. */
  template: string;
  /** The request fields bound to path segments, in order: `target_id`. */
  pathFields: string[];
  /** `*` when the body is the request message, a field name when it is one field, else absent. */
  body?: string;
}

const PATH_VARIABLE = /\{([a-z_][a-z0-9_.]*)\}/g;

export function restMappingOf(method: DescMethod): RestMapping {
  if (!hasOption(method, http)) throw new Error(`${method.parent.typeName}.${method.name} has no google.api.http option`);
  const rule = getOption(method, http);
  const pattern = rule.pattern;
  if (pattern.case === undefined || pattern.case === 'custom') throw new Error(`${method.parent.typeName}.${method.name}: unsupported google.api.http pattern`);
  const template = pattern.value;
  return {
    verb: pattern.case,
    template,
    pathFields: [...template.matchAll(PATH_VARIABLE)].map((match) => match[1]),
    body: rule.body || undefined,
  };
}

/** The JSON name of the request field a path variable binds (`target_id` -> `targetId`). */
export const pathParamName = (method: DescMethod, variable: string): string => method.input.fields.find((field) => field.name === variable)?.jsonName ?? variable;

/** The path template in the router's syntax (`:name`), parameters by JSON name: `/v3alpha/targets/:targetId`. */
export const routerPath = (method: DescMethod, template: string): string => template.replace(PATH_VARIABLE, (_whole, name: string) => `:${pathParamName(method, name)}`);

/** The path template in OpenAPI's syntax, variables by JSON name: `/v3alpha/targets/{targetId}`. */
export const openApiPath = (method: DescMethod, template: string): string => template.replace(PATH_VARIABLE, (_whole, name: string) => `{${pathParamName(method, name)}}`);
