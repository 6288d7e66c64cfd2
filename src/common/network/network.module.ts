import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { NetworkPolicy } from './network-policy';

/** Provides the {@link NetworkPolicy} of TARGET_ALLOWED_NETWORKS to target writes and calls alike. */
@Global()
@Module({
  providers: [{ provide: NetworkPolicy, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new NetworkPolicy(config.targetAllowedNetworks ?? []) }],
  exports: [NetworkPolicy],
})
export class NetworkModule {}
