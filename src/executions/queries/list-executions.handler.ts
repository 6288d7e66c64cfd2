import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { In, type DataSource, type SelectQueryBuilder } from 'typeorm';
import { listDetails, type ListResult } from '../../common/read-model/list';
import { READ_MODEL } from '../../persistence/persistence.tokens';
import { ReadModelSync } from '../../persistence/read-model-sync';
import { conditionToId, idToCondition } from '../domain/condition';
import { ExecutionTargetKind } from '../domain/execution-events';
import { ExecutionEntity, ExecutionProgressEntity, ExecutionTargetEntity, type ExecutionRow, type ExecutionTargetRow } from '../projection/execution.entities';
import { executionsProjection } from '../projection/executions.projection';
import type { ExecutionFilter, ExecutionSortField, ExecutionTargetView, ExecutionView } from './execution.view';
import { ListExecutionsQuery } from './list-executions.query';

const SORT_COLUMNS: Record<ExecutionSortField, keyof ExecutionRow> = { ID: 'id', CREATION_DATE: 'creationDate', CHANGE_DATE: 'changeDate' };

@QueryHandler(ListExecutionsQuery)
export class ListExecutionsHandler implements IQueryHandler<ListExecutionsQuery, ListResult<ExecutionView>> {
  constructor(
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    private readonly sync: ReadModelSync,
  ) {}

  async execute(query: ListExecutionsQuery): Promise<ListResult<ExecutionView>> {
    await this.sync.catchUp(executionsProjection.name);
    const builder = this.readModel.getRepository(ExecutionEntity).createQueryBuilder('e').where('e.instance = :instance', { instance: query.instanceId });
    query.filters.forEach((filter, index) => this.applyFilter(builder, filter, index));
    if (query.sortBy === undefined) {
      // v3alpha defines no sorting column for executions: by id, whatever `asc` says.
      builder.orderBy('e.id', 'ASC');
    } else {
      const direction = query.page.asc ? 'ASC' : 'DESC';
      builder.orderBy(`e.${SORT_COLUMNS[query.sortBy]}`, direction).addOrderBy('e.id', direction);
    }
    const [rows, total] = await builder.skip(query.page.offset).take(query.page.limit).getManyAndCount();
    const targets = await this.targetsOf(query.instanceId, rows);
    return {
      details: await listDetails(this.readModel.manager, ExecutionProgressEntity, query.instanceId, total),
      result: rows.flatMap((row) => {
        const condition = idToCondition(row.id);
        if (!condition) return [];
        const details = { sequence: row.sequence, changeDate: row.changeDate, resourceOwner: row.instance };
        return [{ condition, creationDate: row.creationDate, details, targets: targets.get(row.id) ?? [] }];
      }),
    };
  }

  private applyFilter(builder: SelectQueryBuilder<ExecutionRow>, filter: ExecutionFilter, index: number): void {
    const param = `p${index}`;
    switch (filter.kind) {
      case 'inConditions': {
        const ids = filter.conditions.map(conditionToId);
        if (ids.length === 0) builder.andWhere('1 = 0');
        else builder.andWhere(`e.id IN (:...${param})`, { [param]: ids });
        return;
      }
      case 'executionType':
        builder.andWhere(`(e.id = :${param} OR e.id LIKE :${param}_prefix)`, {
          [param]: filter.executionType,
          [`${param}_prefix`]: `${filter.executionType}/%`,
        });
        return;
      case 'target':
      case 'include': {
        const [type, target] =
          filter.kind === 'target' ? [ExecutionTargetKind.Target, filter.targetId] : [ExecutionTargetKind.Include, conditionToId(filter.include)];
        const entries = builder
          .subQuery()
          .select('1')
          .from(ExecutionTargetEntity, `t${index}`)
          .where(`t${index}.instance = e.instance AND t${index}.executionId = e.id AND t${index}.type = :${param}_type AND t${index}.target = :${param}`)
          .getQuery();
        builder.andWhere(`EXISTS ${entries}`, { [param]: target, [`${param}_type`]: type });
        return;
      }
    }
  }

  private async targetsOf(instance: string, rows: readonly ExecutionRow[]): Promise<Map<string, ExecutionTargetView[]>> {
    const byExecution = new Map<string, ExecutionTargetView[]>();
    if (rows.length === 0) return byExecution;
    const entries: ExecutionTargetRow[] = await this.readModel.getRepository(ExecutionTargetEntity).find({
      where: { instance, executionId: In(rows.map((row) => row.id)) },
      order: { executionId: 'ASC', ordinal: 'ASC' },
    });
    for (const entry of entries) {
      const view = toTargetView(entry);
      if (!view) continue;
      const list = byExecution.get(entry.executionId) ?? [];
      list.push(view);
      byExecution.set(entry.executionId, list);
    }
    return byExecution;
  }
}

function toTargetView(entry: ExecutionTargetRow): ExecutionTargetView | undefined {
  if (entry.type === ExecutionTargetKind.Target) return { target: entry.target };
  const include = idToCondition(entry.target);
  return include ? { include } : undefined;
}
