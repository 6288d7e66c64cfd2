import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import type { EventStore } from '@app/event-store';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/decorators';
import { OPERATIONS_OPTIONS, type OperationsOptions } from '../observability/operations-options';
import { EVENT_STORE, READ_MODEL } from '../persistence/persistence.tokens';
import { EventDeliveries } from '../runtime/deliveries/event-deliveries';
import { ServiceSubscribers } from '../subscribers/service-subscribers';
import { ProjectionReadinessJudge } from './readiness';

/** The durable subscriber that turns events into deliveries, as `/readyz` names it. */
const DELIVERY_RECORDER = 'delivery-recorder';

/** The part of the reply used here: a status and a JSON body. */
interface JsonResponse {
  code(status: number): JsonResponse;
  send(body: unknown): unknown;
}

/**
 * Probes for orchestrators: `/healthz` (liveness) answers 200 while the process serves;
 * `/readyz` (readiness) answers 200 only when the event store and the read-model database
 * answer and every projection is within the lag bound, else 503 with what failed. It also
 * shows each durable subscriber's position and lag (in events), the deliveries recorder's too,
 * and lease holders, for information: a replica serves reads whatever the subscribers'
 * progress, so their lag does not make it unready.
 */
@Controller()
@Public()
export class HealthController {
  private readonly judge: ProjectionReadinessJudge;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    private readonly engine: ProjectionEngine,
    private readonly subscribers: ServiceSubscribers,
    private readonly deliveries: EventDeliveries,
    @Inject(OPERATIONS_OPTIONS) private readonly operations: OperationsOptions,
  ) {
    this.judge = new ProjectionReadinessJudge({ maxLagEvents: operations.readinessMaxLagEvents, caughtUpWithinMs: operations.readinessCaughtUpWithinMs });
  }

  @Get('healthz')
  async live(@Res() response: JsonResponse): Promise<void> {
    // Liveness says nothing about the stores: restarting the process would not bring them back.
    const result = await this.health.check([]).catch((error: unknown) => resultOf(error));
    void response.code(200).send({ ...result, status: result.status === 'shutting_down' ? 'shutting_down' : 'ok' });
  }

  /** On the management port only (see ManagementServer), so not part of the public API's document. */
  @Get('readyz')
  @ApiExcludeEndpoint()
  async ready(@Res() response: JsonResponse): Promise<void> {
    const timeoutMs = this.operations.readinessTimeoutMs;
    try {
      const result = await this.health.check([
        () => this.indicators.check('eventStore').attempt(async () => {
          await this.store.ping();
          return { kind: this.store.kind };
        }).withTimeout(timeoutMs),
        () => this.indicators.check('readModel').attempt(async () => {
          await this.readModel.query('SELECT 1');
        }).withTimeout(timeoutMs),
        () => this.projectionsCheck(),
        () => this.subscribersCheck(),
      ]);
      void response.code(200).send(result);
    } catch (error) {
      // Answered as it is, not through the API error filter: the details are the point.
      void response.code(503).send(resultOf(error));
    }
  }

  private async projectionsCheck() {
    const session = this.indicators.check('projections');
    try {
      const { projections } = await withTimeout(this.engine.status(), this.operations.readinessTimeoutMs);
      const verdicts = await this.judge.judge(this.store, projections);
      const ready = Object.values(verdicts).every((verdict) => verdict.ready);
      const data = { maxLagEvents: this.operations.readinessMaxLagEvents, ...verdicts };
      return ready ? session.up(data) : session.down(data);
    } catch (error) {
      return session.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }

  private async subscribersCheck() {
    const session = this.indicators.check('subscribers');
    try {
      const [reports, recorder] = await withTimeout(Promise.all([this.subscribers.report(), this.deliveries.recorderStatus()]), this.operations.readinessTimeoutMs);
      // The deliveries recorder keeps a checkpoint of its own (no lease: replicas race for each page).
      return session.up({ ...Object.fromEntries(reports.map(({ name, ...report }) => [name, report])), [DELIVERY_RECORDER]: recorder });
    } catch (error) {
      return session.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}

function resultOf(error: unknown): HealthCheckResult {
  if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
  throw error;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
