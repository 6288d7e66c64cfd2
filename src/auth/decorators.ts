import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { internal } from '../common/errors/api-error';
import type { Caller } from './caller';
import type { Permission } from './permissions';

export const IS_PUBLIC = Symbol('auth:public');
export const REQUIRED_PERMISSION = Symbol('auth:required-permission');
const CALLER = Symbol('auth:caller');

/** The route answers without a token (health, docs, metrics). Everything else requires one. */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(IS_PUBLIC, true);
}

/**
 * The route requires a valid token granting `permission`, or any one of several when more are
 * given (the route then decides per item what the caller sees). On a method it overrides the class.
 */
export function RequirePermission(...permissions: [Permission, ...Permission[]]): MethodDecorator & ClassDecorator {
  return SetMetadata(REQUIRED_PERMISSION, permissions);
}

interface RequestWithCaller {
  [CALLER]?: Caller;
}

/** Records the verified caller on the request (done by the guard). */
export function attachCaller(request: object, caller: Caller): void {
  (nodeRequestOf(request) as RequestWithCaller)[CALLER] = caller;
}

/** The Node request under the framework's (Fastify's `raw`), where the request log reads the caller too. */
function nodeRequestOf(request: object): object {
  const raw = (request as { raw?: unknown }).raw;
  return typeof raw === 'object' && raw !== null ? raw : request;
}

/** The caller the guard verified for this request, if any (e.g. for request logging). */
export function callerOf(request: object): Caller | undefined {
  return (nodeRequestOf(request) as RequestWithCaller)[CALLER];
}

const currentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const caller = callerOf(context.switchToHttp().getRequest<object>());
  // Only reachable on a @Public() route, which has no caller: a programming error, not the client's.
  if (caller === undefined) throw internal('AUTH-c4Lr1', 'No authenticated caller for this route');
  return caller;
});

/** Injects the request's {@link Caller}. Not usable on @Public() routes. */
export function CurrentCaller(): ParameterDecorator {
  return currentCaller();
}
