import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AuthGuard } from './auth.guard';
import { createTokenVerifier } from './create-token-verifier';
import { DEFAULT_OPERATIONS_OPTIONS, OPERATIONS_OPTIONS, type OperationsOptions } from '../observability/operations-options';
import { TenantRateLimiter } from './tenant-rate-limiter';
import { TokenVerifier } from './token-verifier';

/**
 * Guards every route of the application (see {@link AuthGuard}). Needs APP_CONFIG, i.e.
 * ConfigModule.forRoot() imported by the root module. Exports TokenVerifier and the per-instance
 * TenantRateLimiter for other transports.
 */
@Module({
  providers: [
    { provide: TokenVerifier, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createTokenVerifier(config) },
    {
      provide: TenantRateLimiter,
      // Optional so the guard can be used without the observability module (its defaults then).
      inject: [{ token: OPERATIONS_OPTIONS, optional: true }],
      useFactory: (operations: OperationsOptions = DEFAULT_OPERATIONS_OPTIONS) => new TenantRateLimiter({ perSecond: operations.rateLimitPerSecond, burst: operations.rateLimitBurst }),
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenVerifier, TenantRateLimiter],
})
export class AuthModule {}
