import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import type { DataSource } from 'typeorm';
import { catchUp } from '../../common/read-model/list';
import { READ_MODEL } from '../../persistence/persistence.tokens';
import { TargetErrors } from '../domain/target-errors';
import { TargetEntity } from '../projection/target.entity';
import { targetsProjection } from '../projection/targets.projection';
import { GetTargetQuery } from './target.queries';
import { toTargetView } from './target-row';
import type { TargetView } from './target.view';

@QueryHandler(GetTargetQuery)
export class GetTargetHandler implements IQueryHandler<GetTargetQuery, TargetView> {
  constructor(
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    private readonly engine: ProjectionEngine,
  ) {}

  async execute(query: GetTargetQuery): Promise<TargetView> {
    await catchUp(this.engine, targetsProjection.name);
    const row = await this.readModel.getRepository(TargetEntity).findOneBy({ instance: query.instanceId, id: query.targetId });
    if (!row) throw TargetErrors.notFound();
    return toTargetView(row);
  }
}
