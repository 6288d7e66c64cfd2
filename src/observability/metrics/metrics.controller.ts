import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { Public } from '../../auth/decorators';
import { ServiceMetrics } from './service-metrics';

/** The part of the reply used here. */
interface ContentTypeResponse {
  type(contentType: string): unknown;
}

/** Prometheus scrape endpoint (text exposition format), on the management port only (see ManagementServer). */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Public()
  @Header('cache-control', 'no-store')
  async scrape(@Res({ passthrough: true }) response: ContentTypeResponse): Promise<string> {
    response.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
