import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import { READ_MODEL } from '../../persistence/persistence.tokens';
import { ReadModelSync } from '../../persistence/read-model-sync';
import { TargetSigningKeys } from '../commands/target-signing-keys';
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
    private readonly sync: ReadModelSync,
    private readonly signingKeys: TargetSigningKeys,
  ) {}

  async execute(query: GetTargetQuery): Promise<TargetView> {
    await this.sync.catchUp(targetsProjection.name);
    const row = await this.readModel.getRepository(TargetEntity).findOneBy({ instance: query.instanceId, id: query.targetId });
    if (!row) throw TargetErrors.notFound();
    const view = toTargetView(row);
    if (query.options.withSigningKey) view.signingKey = await this.signingKeys.reveal(row.instance, row.id, row.signingKey ?? undefined);
    return view;
  }
}
