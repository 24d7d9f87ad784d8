// WAL checkpoints on a worker thread (SQLite "Write-Ahead Logging" §3 "Checkpointing"): copying committed pages from
// the -wal file into the database file, with an fsync, is the slow part of writing in WAL mode. SQLite's automatic
// checkpoint runs it inside whichever COMMIT crosses the threshold, on the event loop. Here a second connection on a
// worker thread runs PASSIVE checkpoints (they never wait for, nor block, readers and writers) every few hundred
// milliseconds, and the serving connection's automatic checkpoint only bounds the WAL should the worker fall behind.
import { Worker } from 'node:worker_threads';

/** The serving connection's automatic checkpoint while the worker runs: a bound (about 40 MB of WAL), not the rhythm. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;
/** SQLite's default, restored should the worker stop. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

// CommonJS run by the worker (eval): its own connection, a PASSIVE checkpoint per tick, a last one when told to stop.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.path);
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const run = () => { try { checkpoint.get(); } catch {} };
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  run();
  db.close();
  parentPort.close();
});
`;

export interface BackgroundCheckpoints {
  /** Stops the worker after one last checkpoint; it closes its connection and exits on its own. */
  stop(): void;
  /** Resolves when the worker has exited (tests). */
  readonly exited: Promise<void>;
}

/**
 * Starts the checkpoint worker for the database at `path`; `onRunning(true)` once it checkpoints, `onRunning(false)` if
 * it stops for any reason (the caller adjusts its own connection's automatic checkpoint). Never keeps the process alive.
 */
export function startBackgroundCheckpoints(path: string, intervalMs: number, onRunning: (running: boolean) => void): BackgroundCheckpoints {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, intervalMs } });
  worker.unref();
  let stopped = false;
  worker.once('online', () => {
    if (!stopped) onRunning(true);
  });
  // A worker that fails (the file removed, no memory for a thread) leaves checkpoints to SQLite, as without it.
  worker.on('error', () => {});
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      onRunning(false);
      resolve();
    });
  });
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
    },
    exited,
  };
}
