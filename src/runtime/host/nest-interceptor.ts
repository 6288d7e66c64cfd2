import { HttpException, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, mergeMap, switchMap, type Observable } from 'rxjs';
import { ActionsRunError, forwardedHeaders, type ActionsRuntimeClient, type RunFields } from './runtime-client';

const FULL_METHOD = 'actions:full-method';

/**
 * Names the method a handler's executions are set on, `/my.pkg.OrderService/CreateOrder`
 * (the catalogue must list it). Without it the interceptor uses `/<Controller>/<handler>`.
 */
export const ActionsMethod = (fullMethod: string): MethodDecorator => SetMetadata(FULL_METHOD, fullMethod);

interface HttpRequest {
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface ActionsNestInterceptorOptions {
  /** The user, organisation and project of a request, as the host's own authentication knows them. */
  fields?: (request: HttpRequest) => Omit<RunFields, 'headers'>;
}

/**
 * A NestJS interceptor that runs the request execution of an HTTP handler before it (the
 * handler's `@Body()` is the request as the restCalls left it) and the response execution on
 * what it returns. A failed run answers the run's HTTP status with the service's error body.
 *
 *     app.useGlobalInterceptors(new ActionsNestInterceptor(new ActionsRuntimeClient({ baseUrl, token })));
 */
export class ActionsNestInterceptor implements NestInterceptor {
  constructor(
    private readonly client: ActionsRuntimeClient,
    private readonly options: ActionsNestInterceptorOptions = {},
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const handler = context.getHandler();
    const named: unknown = Reflect.getMetadata(FULL_METHOD, handler);
    const fullMethod = typeof named === 'string' ? named : `/${context.getClass().name}/${handler.name}`;
    const fields: RunFields = { ...this.options.fields?.(request), headers: forwardedHeaders(Object.entries(request.headers)) };
    return from(run(() => this.client.runRequest(fullMethod, request.body ?? {}, fields))).pipe(
      switchMap((changed) => {
        request.body = changed;
        return next.handle();
      }),
      mergeMap((response: unknown) => run(() => this.client.runResponse(fullMethod, request.body, response ?? null, fields))),
    );
  }
}

/** A failed run as the host's HTTP answer: the service's status, code, id and message. */
async function run<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ActionsRunError)) throw error;
    const body = { code: error.code, message: error.detailMessage, details: error.id === undefined ? [] : [{ id: error.id, message: error.detailMessage }] };
    throw new HttpException(body, error.httpStatus, { cause: error });
  }
}
