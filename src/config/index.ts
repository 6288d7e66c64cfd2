export * from './app-config';
export * from './config-error';
export * from './load-config';
export * from './config.module';
export * from './operations-options';
export * from './env-file';
