import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RuntimeModule } from '../runtime/runtime.module';
import { SubscribersModule } from '../subscribers/subscribers.module';
import { HealthController } from './health.controller';

/** `/healthz` and `/readyz`. Failures are reported in the answers, not logged on every probe. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), SubscribersModule, RuntimeModule],
  controllers: [HealthController],
})
export class HealthModule {}
