import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Catalogue, loadCatalogue } from './catalogue';

/** Provides the {@link Catalogue}: CATALOG_FILE when configured, else the shipped default. */
@Module({
  providers: [{ provide: Catalogue, inject: [APP_CONFIG], useFactory: (config: AppConfig) => loadCatalogue(config.catalogFile) }],
  exports: [Catalogue],
})
export class CatalogueModule {}
