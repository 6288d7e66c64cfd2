import { Query } from '@nestjs/cqrs';
import type { ListResult, Page } from '../../common/read-model/list';
import type { ExecutionFilter, ExecutionSortField, ExecutionView } from './execution.view';

export class ListExecutionsQuery extends Query<ListResult<ExecutionView>> {
  constructor(
    readonly instanceId: string,
    readonly filters: readonly ExecutionFilter[],
    readonly page: Page,
    /** Sorted by this column (then id), descending unless `page.asc`; without it by id ascending, whatever `asc` says. */
    readonly sortBy?: ExecutionSortField,
  ) {
    super();
  }
}
