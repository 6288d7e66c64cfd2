import { Worker } from 'node:worker_threads';

/**
 * Runs in a worker thread with a connection of its own: copies committed WAL frames back into
 * the database file (a PASSIVE checkpoint never waits for, nor blocks, readers and writers).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const round = () => {
  // A passive checkpoint copies the frames present when it starts; the WAL rewinds (at the next
  // commit) only once a checkpoint has copied every frame. Under steady writes new frames land
  // while it runs, so it is repeated: each repetition has less to copy and so more chance to end
  // between two appends.
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
    if (checkpointed >= log) return;
    if (log < workerData.restartFrames) continue;
    // Never caught up and the WAL is long: copy the rest holding writers off for that moment.
    db.pragma('busy_timeout = 20');
    try { db.pragma('wal_checkpoint(RESTART)'); } finally { db.pragma('busy_timeout = 0'); }
    return;
  }
};
const timer = setInterval(() => {
  try { round(); } catch { /* a checkpoint of another connection, or the file is going away: next round */ }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  try { db.close(); } finally { parentPort.close(); }
});
`;
/**
 * WAL checkpoints off the event loop. SQLite otherwise checkpoints inside whichever commit
 * crosses `wal_autocheckpoint`: that append (and, better-sqlite3 being synchronous, the whole
 * process) then stalls for tens of milliseconds while pages are copied and fsynced. Here the
 * appending connection never checkpoints (`wal_autocheckpoint = 0`); a thread copies frames
 * every `intervalMs` without blocking anyone. Should it never catch up with a steady stream of
 * appends and the WAL reach `restartFrames` frames (64 MiB), a RESTART checkpoint copies the
 * rest while holding writers off for a moment, so the WAL stays bounded.
 */
export class BackgroundCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(file: string, intervalMs: number, restartFrames = 16_384) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs, restartFrames, driver: require.resolve('better-sqlite3') } });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    // A failing checkpointer only lets the WAL grow until the next start; it must not crash the process.
    this.worker.on('error', () => undefined);
  }

  /** Closes the thread's connection (so it holds no lock) and waits for the thread to end. */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    const timer = setTimeout(() => void this.worker.terminate(), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}
