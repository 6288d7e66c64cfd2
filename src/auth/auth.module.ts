import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AuthGuard } from './auth.guard';
import { createTokenVerifier } from './create-token-verifier';
import { TokenVerifier } from './token-verifier';

/**
 * Guards every route of the application (see {@link AuthGuard}). Needs APP_CONFIG, i.e.
 * ConfigModule.forRoot() imported by the root module. Exports TokenVerifier for other transports.
 */
@Module({
  providers: [
    { provide: TokenVerifier, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createTokenVerifier(config) },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenVerifier],
})
export class AuthModule {}
