import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Catalogue } from '../../catalogue/catalogue';

export type CatalogueList = 'methods' | 'services' | 'functions';

/** What executions can be set on: ListExecutionMethods / Services / Functions (sorted). */
export class ListCatalogueQuery extends Query<readonly string[]> {
  constructor(readonly list: CatalogueList) {
    super();
  }
}

@QueryHandler(ListCatalogueQuery)
export class ListCatalogueHandler implements IQueryHandler<ListCatalogueQuery, readonly string[]> {
  constructor(private readonly catalogue: Catalogue) {}

  async execute(query: ListCatalogueQuery): Promise<readonly string[]> {
    return this.catalogue[query.list];
  }
}
