/**
 * The hard stop behind the time budget (issue #9) and the memory bound (issue #10). Every stage of the gate checks the
 * soft deadline itself (bootstrap loops, attacks, SHAP) and reports what it could not finish as not-run; but one
 * onnxruntime call runs synchronously on the main thread (onnxruntime-node's run() is a blocking native call), so a
 * model with a long `Loop` can stall past any JavaScript timer, and a 400-byte model whose `Expand` builds a
 * 30,000 × 40,000 tensor allocates 4.8 GB inside that call where no JavaScript check can see it. The watchdog is a
 * worker thread that wakes every 50 ms: it reads the process's resident memory (the whole process, native allocations
 * included) and, past the hard deadline or the memory bound, writes one fixed line to stderr (no PR content), names
 * the stage that was running, and kills the process (exit by SIGKILL: a non-zero status, never a pass). stop() wakes
 * it and lets it end.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';

const STAGE_BYTES = 64;
/** How often the watchdog wakes to read the process's memory. */
const POLL_MS = 50;


/** The worker's code (plain JS, run with eval: nothing to bundle or resolve at run time). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const flag = new Int32Array(workerData.shared, 0, 1);
const stage = new Uint8Array(workerData.shared, 4, ${STAGE_BYTES});
function stageName() {
  let end = stage.indexOf(0); if (end < 0) end = stage.length;
  return Buffer.from(stage.subarray(0, end)).toString('latin1').replace(/[^a-z0-9 _-]/gi, '') || 'unknown';
}
function stop(line) {
  // the Action's annotations go to stdout like all its workflow commands (nothing but plain text on stderr)
  try { if (workerData.annotate) fs.writeSync(1, '::error title=model-risk-gate::' + line + '\\n'); else fs.writeSync(2, line + '\\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}
for (;;) {
  const left = workerData.hardDeadline - Date.now();
  if (left > 0) Atomics.wait(flag, 0, 0, Math.min(${POLL_MS}, left));
  if (Atomics.load(flag, 0) !== 0) break;
  const rss = process.memoryUsage.rss();
  if (workerData.maxRssBytes > 0 && rss > workerData.maxRssBytes) {
    stop('model-risk-gate: error: the gate used ' + (rss / 1073741824).toFixed(1) + ' GB of memory in stage "' + stageName() +
      '", more than its bound of ' + workerData.boundText + ': stopped. A model or dataset that needs this much memory is ' +
      'refused (a model can allocate huge tensors from a few bytes); if it is legitimate, evaluate on a sample or raise ' +
      'MODEL_RISK_GATE_MAX_MEMORY_MB in the workflow.');
    break;
  }
  if (left <= 0) {
    stop('model-risk-gate: error: the time budget of ' + workerData.budgetText + ' ran out in stage "' + stageName() +
      '" and the stage did not stop (a single model call can run for longer than the budget): stopped. ' +
      'Raise time-budget-minutes (Action) or --time-budget (CLI), or make the model faster to evaluate.');
    break;
  }
}
`;

/** Environment variable (set by the workflow, not the pull request) that sets the memory bound in MiB. */
export const MAX_MEMORY_ENV = 'MODEL_RISK_GATE_MAX_MEMORY_MB';

/**
 * The resident-memory bound: MODEL_RISK_GATE_MAX_MEMORY_MB when set (0 turns it off), else 75% of the memory this
 * process may use (the machine's, or the container's cgroup limit when lower), so the gate stops with its own message
 * before the kernel's out-of-memory killer ends it (or other processes on the runner) without one.
 */
export function memoryBoundBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_MEMORY_ENV];
  if (raw !== undefined && raw.trim() !== '') {
    const mb = Number(raw);
    if (Number.isFinite(mb) && mb >= 0) return Math.round(mb * 1024 * 1024);
  }
  let total = os.totalmem();
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  if (typeof constrained === 'number' && constrained > 0 && constrained < total) total = constrained;
  return Math.round(total * 0.75);
}

function gigabytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
}

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

export function startWatchdog(opts: { hardDeadline: number; budgetMs: number; maxRssBytes?: number }): Watchdog {
  const maxRssBytes = opts.maxRssBytes ?? memoryBoundBytes();
  const shared = new SharedArrayBuffer(4 + STAGE_BYTES);
  const flag = new Int32Array(shared, 0, 1);
  const stageBytes = new Uint8Array(shared, 4, STAGE_BYTES);
  const minutes = opts.budgetMs / 60_000;
  const budgetText = minutes >= 1 ? `${Number(minutes.toFixed(2))} min` : `${Number((opts.budgetMs / 1000).toFixed(1))} s`;
  let worker: Worker | undefined;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { shared, hardDeadline: opts.hardDeadline, budgetText, maxRssBytes, boundText: gigabytes(maxRssBytes), annotate: process.env.GITHUB_ACTIONS === 'true' },
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
