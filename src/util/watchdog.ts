/**
 * The hard stop behind the time budget (issue #9). Every stage of the gate checks the soft deadline itself (bootstrap
 * loops, attacks, SHAP) and reports what it could not finish as not-run; but one onnxruntime call runs synchronously
 * on the main thread (onnxruntime-node's run() is a blocking native call), so a model with a long `Loop` can stall
 * past any JavaScript timer. The watchdog is a worker thread that sleeps on a shared flag until the hard deadline;
 * if the gate has not finished by then it writes one fixed line to stderr (no PR content), names the stage that was
 * running, and kills the process (exit by SIGKILL: a non-zero status, never a pass). stop() wakes it and lets it end.
 */
import { Worker } from 'node:worker_threads';

const STAGE_BYTES = 64;

/** The worker's code (plain JS, run with eval: nothing to bundle or resolve at run time). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const flag = new Int32Array(workerData.shared, 0, 1);
const stage = new Uint8Array(workerData.shared, 4, ${STAGE_BYTES});
const wait = Math.max(0, workerData.hardDeadline - Date.now());
const r = Atomics.wait(flag, 0, 0, wait);
if (r === 'timed-out' && Atomics.load(flag, 0) === 0) {
  let end = stage.indexOf(0); if (end < 0) end = stage.length;
  const name = Buffer.from(stage.subarray(0, end)).toString('latin1').replace(/[^a-z0-9 _-]/gi, '') || 'unknown';
  const line = 'model-risk-gate: error: the time budget of ' + workerData.budgetText + ' ran out in stage "' + name +
    '" and the stage did not stop (a single model call can run for longer than the budget): stopped. ' +
    'Raise time-budget-minutes (Action) or --time-budget (CLI), or make the model faster to evaluate.';
  try { fs.writeSync(2, (workerData.annotate ? '::error title=model-risk-gate::' : '') + line + '\\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}
`;

export interface Watchdog {
  /** Names the stage now running (ASCII; shown if the hard deadline passes). */
  stage(name: string): void;
  /** The gate finished: the watchdog ends without doing anything. */
  stop(): void;
}

/** Grace after the soft deadline before the hard stop: a quarter of the budget, at least 10 s. */
export function hardDeadlineOf(started: number, budgetMs: number): number {
  return started + budgetMs + Math.max(10_000, Math.round(budgetMs / 4));
}

export function startWatchdog(opts: { hardDeadline: number; budgetMs: number }): Watchdog {
  const shared = new SharedArrayBuffer(4 + STAGE_BYTES);
  const flag = new Int32Array(shared, 0, 1);
  const stageBytes = new Uint8Array(shared, 4, STAGE_BYTES);
  const minutes = opts.budgetMs / 60_000;
  const budgetText = minutes >= 1 ? `${Number(minutes.toFixed(2))} min` : `${Number((opts.budgetMs / 1000).toFixed(1))} s`;
  let worker: Worker | undefined;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { shared, hardDeadline: opts.hardDeadline, budgetText, annotate: process.env.GITHUB_ACTIONS === 'true' },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    worker.on('error', () => undefined);
  } catch {
    worker = undefined; // no worker threads here: the soft deadline still bounds every JS loop
  }
  return {
    stage(name: string): void {
      const bytes = Buffer.from(name.slice(0, STAGE_BYTES - 1), 'latin1');
      stageBytes.fill(0);
      stageBytes.set(bytes.subarray(0, STAGE_BYTES - 1));
    },
    stop(): void {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      void worker?.terminate();
    },
  };
}
