import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { nodeResponse } from '../common/http/http-adapter';
import { permissionDeniedError } from './auth-errors';
import { attachCaller, IS_PUBLIC, REQUIRED_PERMISSION } from './decorators';
import type { Permission } from './permissions';
import { RateLimitedError, TenantRateLimiter } from './tenant-rate-limiter';
import { TokenVerifier } from './token-verifier';

type AccessRule = { kind: 'public' } | { kind: 'authenticated' } | { kind: 'permission'; anyOf: readonly Permission[] };

/**
 * Default-deny: every route needs a valid token unless marked @Public(); @RequirePermission(p)
 * also needs `p`. The nearest marker wins (method before class), and on the same target a
 * permission beats @Public() so a contradiction never opens a route.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(TenantRateLimiter) private readonly limiter: TenantRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.ruleOf(context);
    if (rule.kind === 'public') return true;
    // Only HTTP carries headers here; any other context finds no token and is refused.
    const request = context.switchToHttp().getRequest<{ headers?: Record<string, string | string[] | undefined> }>();
    const header = context.getType() === 'http' ? request.headers?.authorization : undefined;
    const caller = await this.verifier.verify(Array.isArray(header) ? header[0] : header);
    attachCaller(request, caller);
    try {
      this.limiter.take(caller.instanceId);
    } catch (error) {
      if (error instanceof RateLimitedError) nodeResponse(context.switchToHttp().getResponse<Parameters<typeof nodeResponse>[0]>()).setHeader('retry-after', String(error.retryAfterSeconds));
      throw error;
    }
    if (rule.kind === 'permission' && !rule.anyOf.some((permission) => caller.permissions.has(permission))) throw permissionDeniedError(rule.anyOf);
    return true;
  }

  private ruleOf(context: ExecutionContext): AccessRule {
    for (const target of [context.getHandler(), context.getClass()]) {
      const anyOf = this.reflector.get<readonly Permission[] | undefined>(REQUIRED_PERMISSION, target);
      if (anyOf !== undefined) return { kind: 'permission', anyOf };
      if (this.reflector.get<boolean | undefined>(IS_PUBLIC, target) === true) return { kind: 'public' };
    }
    return { kind: 'authenticated' };
  }
}
