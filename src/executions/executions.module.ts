import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CatalogueModule } from '../catalogue/catalogue.module';
import { TargetsModule } from '../targets/targets.module';
import { DeleteExecutionHandler } from './commands/delete-execution.handler';
import { ExecutionRepository } from './commands/execution.repository';
import { RemoveTargetFromExecutionHandler } from './commands/remove-target-from-execution.handler';
import { SetExecutionHandler } from './commands/set-execution.handler';
import { SetExecutionTargetsHandler } from './commands/set-execution-targets.handler';
import { ListCatalogueHandler } from './queries/catalogue-lists';
import { ListExecutionsHandler } from './queries/list-executions.handler';

@Module({
  imports: [CqrsModule, CatalogueModule, TargetsModule],
  providers: [
    ExecutionRepository,
    SetExecutionHandler,
    SetExecutionTargetsHandler,
    DeleteExecutionHandler,
    RemoveTargetFromExecutionHandler,
    ListExecutionsHandler,
    ListCatalogueHandler,
  ],
})
export class ExecutionsModule {}
