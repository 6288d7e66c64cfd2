import { Module } from '@nestjs/common';
import { RuntimeModule } from '../../runtime/runtime.module';
import { RuntimeV1Controller } from './runtime-service.controller';
import { RuntimeV1Service } from './runtime-service';

/** actions.runtime.v1.RuntimeService: its REST routes here, its RPCs through the Connect router (GrpcModule). */
@Module({
  imports: [RuntimeModule],
  controllers: [RuntimeV1Controller],
  providers: [RuntimeV1Service],
  exports: [RuntimeV1Service],
})
export class RuntimeV1Module {}
