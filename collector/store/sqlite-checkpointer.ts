/**
 * Copies SQLite's write-ahead log back into the database from a worker thread, so the thread that
 * answers requests never does it. Left to SQLite, the commit that finds the log past 1,000 pages
 * copies them all before it returns: a third of what a stored row costs the event loop (see
 * docs/collector.md, Storage), and a pause of tens of milliseconds for whoever waits behind it.
 *
 * The worker has its own connection and runs PASSIVE checkpoints (they never wait for, nor block,
 * a writer or a reader) 20 times a second; the writer's own automatic checkpoint is then moved
 * to a far backstop (sqlite.ts). If the worker fails, it is moved back: the log never grows
 * without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Often, so that what is left when the writer's backstop comes (sqlite.ts) is little: at 2,000
 * reports/s its stalls measured 20-26 ms with a checkpoint every 250 ms, 10-14 ms every 50 ms.
 */
const CHECKPOINT_EVERY_MS = 50;
/** SQLite's own default: how often the writer checkpoints itself when no worker does. */
export const AUTOCHECKPOINT_PAGES = 1000;

// CommonJS, evaluated: the worker needs no file of its own next to the bundles.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  private stopped = false;

  /** `onFailure`: the worker could not run (the writer must checkpoint again itself). */
  constructor(file: string, onFailure: () => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, everyMs: CHECKPOINT_EVERY_MS } });
    this.worker.unref();
    const failed = () => {
      if (!this.stopped) onFailure();
      this.stopped = true;
    };
    this.worker.on('error', failed);
    this.worker.on('exit', failed);
  }

  /** Stops the worker and waits until its connection is closed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Held again while it stops: an unreferenced worker's exit would not keep this process waiting.
    this.worker.ref();
    this.worker.postMessage('stop');
    await exited;
  }
}
