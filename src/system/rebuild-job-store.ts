import { Inject, Injectable } from '@nestjs/common';
import { dialectOf, quotedTablePath, type DatabaseDialect } from '@app/eventsourcing/projections/database-dialect';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import { synchronizeEntities } from '@app/eventsourcing/projections/schema-sync';
import type { DataSource } from 'typeorm';
import { READ_MODEL } from '../persistence/persistence.tokens';
import { RebuildJobEntity, type RebuildJobRow } from './rebuild-job-table';

/**
 * The rebuilds' rows in the read-model database the replicas share: the replica running a
 * rebuild writes it, any replica reads it.
 */
@Injectable()
export class RebuildJobStore {
  private readonly dialect: DatabaseDialect;
  private ready: Promise<void> | undefined;

  constructor(
    @Inject(READ_MODEL) private readonly dataSource: DataSource,
    private readonly engine: ProjectionEngine,
  ) {
    this.dialect = dialectOf(dataSource);
  }

  /** Replaces the projection's row (a start holding the rebuild's lock is its only writer). */
  async write(row: Omit<RebuildJobRow, 'updatedAt'>): Promise<void> {
    await this.tables();
    const stored: RebuildJobRow = { ...row, updatedAt: new Date().toISOString() };
    await this.dialect.transaction(this.dataSource, quotedTablePath(this.dataSource, RebuildJobEntity), (manager) => manager.upsert(RebuildJobEntity, stored, ['name']));
  }

  async read(projection: string): Promise<RebuildJobRow | undefined> {
    await this.tables();
    const row = await this.dialect.exclusive(() => this.dataSource.getRepository(RebuildJobEntity).findOneBy({ name: projection }));
    return row ?? undefined;
  }

  /** Connects (the engine's init opens the read model) and creates the table when missing, once. */
  private tables(): Promise<void> {
    this.ready ??= (async () => {
      await this.engine.init();
      await synchronizeEntities(this.dataSource, [RebuildJobEntity]);
    })().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }
}
