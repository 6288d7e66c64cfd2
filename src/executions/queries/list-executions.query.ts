import { Query } from '@nestjs/cqrs';
import type { ListResult, Page } from '../../common/read-model/list';
import type { ExecutionFilter, ExecutionView } from './execution.view';

export class ListExecutionsQuery extends Query<ListResult<ExecutionView>> {
  constructor(
    readonly instanceId: string,
    readonly filters: readonly ExecutionFilter[],
    readonly page: Page,
  ) {
    super();
  }
}
