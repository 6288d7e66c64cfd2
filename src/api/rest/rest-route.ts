import type { DescMethod } from '@bufbuild/protobuf';
import { applyDecorators, createParamDecorator, HttpCode, RequestMethod, RequestMapping, UseInterceptors, type ExecutionContext } from '@nestjs/common';
import { JsonBodyInterceptor } from './json-body';
import { decodeRestRequest, type RestRequestParts } from './rest-decoder';
import { routerPath, restMappingOf, type HttpVerb } from './http-rule';

const REQUEST_METHODS: Record<HttpVerb, RequestMethod> = {
  get: RequestMethod.GET,
  put: RequestMethod.PUT,
  post: RequestMethod.POST,
  delete: RequestMethod.DELETE,
  patch: RequestMethod.PATCH,
};

/**
 * Maps a controller method to an RPC's REST route, as the RPC's `google.api.http` option
 * states it (verb and path live only in the proto). Answers 200 unless `status` says otherwise.
 * A route with a body reads it after the guards (JsonBodyInterceptor); the others never read one.
 */
export function RestRoute(method: DescMethod, options: { status?: number } = {}): MethodDecorator {
  const mapping = restMappingOf(method);
  const route = [RequestMapping({ path: routerPath(method, mapping.template), method: REQUEST_METHODS[mapping.verb] }), HttpCode(options.status ?? 200)];
  return applyDecorators(...route, ...(mapping.body ? [UseInterceptors(JsonBodyInterceptor)] : []));
}

/**
 * Injects the RPC's request message, decoded from the REST call (body and path) and validated.
 * Parameter decorators run after the guards: the body is judged only for authorized callers.
 */
export const RestRequest = createParamDecorator((method: DescMethod, context: ExecutionContext) =>
  decodeRestRequest(method, context.switchToHttp().getRequest<RestRequestParts>()),
);
