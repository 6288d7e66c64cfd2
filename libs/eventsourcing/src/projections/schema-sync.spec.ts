import { EntitySchema } from 'typeorm';
import { synchronizeEntities } from './schema-sync';
import { ReadModelDatabase, type ReadModelKind } from './testing/read-model-database';

interface NoteRow {
  id: string;
  title: string;
}

const notesWithTitles = (title: { type: 'varchar'; length: number } | { type: 'text' }): EntitySchema<NoteRow> =>
  new EntitySchema<NoteRow>({
    name: 'Note',
    tableName: 'notes',
    columns: { id: { type: 'varchar', length: 20, primary: true }, title },
  });

describe.each<ReadModelKind>(['sqlite', 'postgres'])('synchronizeEntities on %s', (kind) => {
  let database: ReadModelDatabase;

  beforeEach(async () => {
    database = await ReadModelDatabase.create(kind);
  });

  afterEach(async () => {
    await database.drop();
  });

  it.each([
    ['a longer varchar', { type: 'varchar', length: 1000 } as const],
    ['text', { type: 'text' } as const],
  ])('turns a short varchar column of a table with rows into %s and keeps every value', async (_, title) => {
    const before = notesWithTitles({ type: 'varchar', length: 10 });
    const old = await database.open([before]);
    await synchronizeEntities(old, [before]);
    await old.getRepository(before).insert({ id: 'n1', title: 'short' });

    const after = notesWithTitles(title);
    const upgraded = await database.open([after]);
    await synchronizeEntities(upgraded, [after]);

    const longTitle = 'é'.repeat(1000);
    await upgraded.getRepository(after).insert({ id: 'n2', title: longTitle });
    const rows = await upgraded.getRepository(after).find({ order: { id: 'ASC' } });
    expect(rows).toEqual([
      { id: 'n1', title: 'short' },
      { id: 'n2', title: longTitle },
    ]);
  });
});
