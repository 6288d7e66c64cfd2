import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from './app-config';
import { loadConfig } from './load-config';

/**
 * Provides {@link APP_CONFIG} to the whole application. Import it once, in the root module.
 * Without an explicit config it reads `process.env` when the application boots (not when this
 * file is imported), so a bad variable surfaces as a start-up error rather than an import crash.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useFactory: (): AppConfig => config ?? loadConfig(process.env) }],
      exports: [APP_CONFIG],
    };
  }
}
