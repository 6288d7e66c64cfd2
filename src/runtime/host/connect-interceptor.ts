import { fromJson, toJson, type JsonValue } from '@bufbuild/protobuf';
import { Code, ConnectError, type Interceptor, type UnaryRequest } from '@connectrpc/connect';
import { ActionsRunError, forwardedHeaders, type ActionsRuntimeClient, type RunFields } from './runtime-client';

export interface ActionsInterceptorOptions {
  /** The user, organisation and project of a call, as the host's own authentication knows them. */
  fields?: (request: UnaryRequest) => Omit<RunFields, 'headers'> | Promise<Omit<RunFields, 'headers'>>;
}

/**
 * A Connect interceptor for a host's server (gRPC, gRPC-web and Connect alike) that runs the
 * request execution of every unary call before its handler, and the response execution after
 * it. The messages travel in their protobuf JSON form, as ZITADEL sends them to targets; what
 * the restCalls answer becomes the message the handler gets and the answer the caller gets. A
 * failed run fails the call with the run's code and message. Streaming calls pass untouched.
 *
 *     connectNodeAdapter({ routes, interceptors: [actionsInterceptor(new ActionsRuntimeClient({ baseUrl, token }))] })
 */
export function actionsInterceptor(client: ActionsRuntimeClient, options: ActionsInterceptorOptions = {}): Interceptor {
  return (next) => async (request) => {
    if (request.stream) return next(request);
    const fullMethod = `/${request.service.typeName}/${request.method.name}`;
    const fields: RunFields = { ...(await options.fields?.(request)), headers: forwardedHeaders(request.header.entries()) };
    const input = request.method.input;
    const changed = fromJson(input, (await run(() => client.runRequest(fullMethod, toJson(input, request.message), fields))) as JsonValue, { ignoreUnknownFields: true });
    const response = await next({ ...request, message: changed });
    if (response.stream) return response;
    const output = request.method.output;
    const answer = await run(() => client.runResponse(fullMethod, toJson(input, changed), toJson(output, response.message), fields));
    return { ...response, message: fromJson(output, answer as JsonValue, { ignoreUnknownFields: true }) };
  };
}

/** A failed run as the Connect error the host's caller gets: the same code and message. */
async function run<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ActionsRunError) throw new ConnectError(error.detailMessage, error.code in Code ? (error.code as Code) : Code.Unknown, undefined, undefined, error);
    throw error;
  }
}
