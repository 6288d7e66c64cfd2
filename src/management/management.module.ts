import { Module } from '@nestjs/common';
import { ManagementServer } from './management-server';

/** The management port: metrics and probes, apart from the public API (see ManagementServer). */
@Module({
  providers: [ManagementServer],
  exports: [ManagementServer],
})
export class ManagementModule {}
