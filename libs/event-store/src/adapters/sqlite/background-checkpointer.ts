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
  // A passive checkpoint copies the frames present when it starts, without waiting for, or
  // blocking, anyone. It never rewinds the WAL: the next writer does that, but only when it finds
  // every frame copied, which under steady appends never happens (new frames land while the copy
  // runs), so the WAL would grow without bound. Once it is long, a RESTART copies the rest while
  // holding writers off for that moment and makes the next writer start the WAL over.
  const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)');
  if (log < workerData.restartFrames) return;
  db.pragma('busy_timeout = 20');
  try { db.pragma('wal_checkpoint(RESTART)'); } finally { db.pragma('busy_timeout = 0'); }
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
 * every `intervalMs` without blocking anyone. Once the WAL holds `restartFrames` frames (64 MiB
 * of 4 KiB pages), which under steady appends it reaches for want of a moment without writes, a
 * RESTART checkpoint copies the rest while holding writers off for a moment and the WAL starts
 * over, so it stays bounded.
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
