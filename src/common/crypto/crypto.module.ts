import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { loadEncryptionKey } from './encryption-key';
import { SECRET_BOX, SecretBox } from './secret-box';

/** Provides the service's {@link SecretBox}, its key loaded (or generated) once at start. */
@Global()
@Module({
  providers: [
    {
      provide: SECRET_BOX,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<SecretBox> =>
        new SecretBox(await loadEncryptionKey({ dataDir: config.dataDir, ...(config.encryptionKeyFile !== undefined && { keyFile: config.encryptionKeyFile }) })),
    },
  ],
  exports: [SECRET_BOX],
})
export class CryptoModule {}
