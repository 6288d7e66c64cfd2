import { Query } from '@nestjs/cqrs';
import type { ListResult, Page } from '../../common/read-model/list';
import type { TargetFilter, TargetQueryOptions, TargetSortField, TargetView } from './target.view';

export class GetTargetQuery extends Query<TargetView> {
  constructor(
    readonly instanceId: string,
    readonly targetId: string,
    readonly options: TargetQueryOptions = {},
  ) {
    super();
  }
}

export class ListTargetsQuery extends Query<ListResult<TargetView>> {
  constructor(
    readonly instanceId: string,
    readonly filters: readonly TargetFilter[],
    readonly sortBy: TargetSortField,
    readonly page: Page,
    readonly options: TargetQueryOptions = {},
  ) {
    super();
  }
}
