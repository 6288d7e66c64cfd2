import Database from 'better-sqlite3';
import { Client } from 'pg';
import type { ServiceStorage } from './storage';

/**
 * Reads one execution row straight from a running service's read model (not through its
 * API, whose reads wait for the projection), to see when a projection has reduced a write.
 */
export interface ReadModelProbe {
  /** The row's sequence, or undefined while the row does not exist. */
  executionSequence(instance: string, executionId: string): Promise<number | undefined>;
  close(): Promise<void>;
}

export async function openReadModelProbe(storage: ServiceStorage): Promise<ReadModelProbe> {
  if (storage.kind === 'sqlite') {
    const db = new Database(storage.readModelFile, { readonly: true, fileMustExist: true });
    const statement = db.prepare('SELECT sequence FROM executions WHERE instance = ? AND id = ?').pluck();
    return {
      executionSequence: async (instance, executionId) => (statement.get(instance, executionId) as number | undefined) ?? undefined,
      close: async () => {
        db.close();
      },
    };
  }
  const client = new Client({ connectionString: storage.serverUrl });
  await client.connect();
  const table = `${client.escapeIdentifier(storage.schema!)}.executions`;
  const text = `SELECT sequence FROM ${table} WHERE instance = $1 AND id = $2`;
  return {
    async executionSequence(instance, executionId) {
      const { rows } = await client.query<{ sequence: number }>({ name: 'probe-execution', text, values: [instance, executionId] });
      return rows[0]?.sequence;
    },
    close: () => client.end(),
  };
}
