import { createContextKey, type HandlerContext } from '@connectrpc/connect';
import type { Caller } from '../../auth/caller';
import { internal } from '../../common/errors/api-error';

/** The token's caller as verified before the body was read; the auth interceptor takes it from here. */
export const VERIFIED_TOKEN = createContextKey<Caller | undefined>(undefined, { description: 'caller verified before the body' });

/** Where the auth interceptor leaves the verified caller for the handlers. */
export const CALLER = createContextKey<Caller | undefined>(undefined, { description: 'verified caller' });

/** The verified caller of this call; the auth interceptor guarantees one for ActionService RPCs. */
export function callerOf(context: HandlerContext): Caller {
  const caller = context.values.get(CALLER);
  // Reaching a handler without a caller means the interceptor was not installed: fail closed.
  if (caller === undefined) throw internal('GRPC-n0cllr', 'Request was not authenticated');
  return caller;
}
