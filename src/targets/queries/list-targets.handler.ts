import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { escapeLike } from '../../common/read-model/column-transformers';
import { listDetails, type ListResult } from '../../common/read-model/list';
import { READ_MODEL } from '../../persistence/persistence.tokens';
import { ReadModelSync } from '../../persistence/read-model-sync';
import { TargetSigningKeys } from '../commands/target-signing-keys';
import { TargetEntity, TargetProgressEntity, type TargetRow } from '../projection/target.entity';
import { targetsProjection } from '../projection/targets.projection';
import { ListTargetsQuery } from './target.queries';
import { toTargetView } from './target-row';
import type { TargetFilter, TargetSortField, TargetView, TextMatch } from './target.view';

const SORT_COLUMNS: Record<TargetSortField, keyof TargetRow> = {
  UNSPECIFIED: 'creationDate',
  ID: 'id',
  CREATION_DATE: 'creationDate',
  CHANGE_DATE: 'changeDate',
  NAME: 'name',
  TARGET_TYPE: 'targetType',
  URL: 'endpoint',
  TIMEOUT: 'timeout',
  ASYNC: 'isAsync',
  INTERRUPT_ON_ERROR: 'interruptOnError',
};

/** LIKE pattern for a text match; user text is escaped so % and _ match literally. */
function likePattern(match: TextMatch, text: string): string {
  const escaped = escapeLike(text);
  if (match.startsWith('STARTS_WITH')) return `${escaped}%`;
  if (match.startsWith('ENDS_WITH')) return `%${escaped}`;
  if (match.startsWith('CONTAINS')) return `%${escaped}%`;
  return escaped;
}

@QueryHandler(ListTargetsQuery)
export class ListTargetsHandler implements IQueryHandler<ListTargetsQuery, ListResult<TargetView>> {
  constructor(
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    private readonly sync: ReadModelSync,
    private readonly signingKeys: TargetSigningKeys,
  ) {}

  async execute(query: ListTargetsQuery): Promise<ListResult<TargetView>> {
    await this.sync.catchUp(targetsProjection.name);
    const builder = this.readModel.getRepository(TargetEntity).createQueryBuilder('t').where('t.instance = :instance', { instance: query.instanceId });
    query.filters.forEach((filter, index) => applyFilter(builder, filter, index));
    const direction = query.page.asc ? 'ASC' : 'DESC';
    const [rows, total] = await builder
      .orderBy(`t.${SORT_COLUMNS[query.sortBy]}`, direction)
      .addOrderBy('t.id', direction)
      .skip(query.page.offset)
      .take(query.page.limit)
      .getManyAndCount();
    const result = rows.map(toTargetView);
    if (query.options.withSigningKey) {
      for (const [index, row] of rows.entries()) result[index]!.signingKey = await this.signingKeys.reveal(row.instance, row.id, row.signingKey ?? undefined);
    }
    return { details: await listDetails(this.readModel.manager, TargetProgressEntity, query.instanceId, total), result };
  }
}

function applyFilter(builder: SelectQueryBuilder<TargetRow>, filter: TargetFilter, index: number): void {
  const param = `p${index}`;
  if (filter.kind === 'ids') {
    if (filter.ids.length === 0) builder.andWhere('1 = 0');
    else builder.andWhere(`t.id IN (:...${param})`, { [param]: filter.ids });
    return;
  }
  const ignoreCase = filter.match.endsWith('IGNORE_CASE');
  const column = ignoreCase ? 't.nameLower' : 't.name';
  const pattern = likePattern(filter.match, ignoreCase ? filter.name.toLowerCase() : filter.name);
  builder.andWhere(`${column} LIKE :${param} ESCAPE '\\'`, { [param]: pattern });
}
