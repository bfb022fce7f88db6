/**
 * Progress of a run in a terminal (issue #15): one line on stderr, redrawn in place, naming the stage running, the
 * evaluation rows and the time since the start — `model-risk-gate: scoring 16,281 rows · 3.2 s`. Silent when stderr
 * is not a terminal (CI logs, pipes, tests), and erased before the report is printed. The Action shows the same stages
 * as log groups instead (src/github/progress.ts). Fed by runGate's onProgress; the gate itself prints nothing.
 */
import type { GateProgress } from './gate.js';
import { messageLine } from './util/output.js';

/** What each stage of report.timings is doing, in words. */
const STAGE_WORDS: Record<string, string> = {
  policy: 'reading the policy',
  dataset: 'reading the dataset',
  data: 'data checks',
  model: 'loading the model',
  scoring: 'scoring',
  metrics: 'metrics',
  checks: 'checks and confidence intervals',
  robustness: 'robustness attacks',
  explainability: 'explanations (SHAP)',
  baseline: 'comparing with the base model',
};

export function stageWords(stage: string): string {
  return STAGE_WORDS[stage] ?? stage;
}

/** 0.4 s, 12.3 s, 2 min 05 s. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.floor(s);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/** The progress text of a stage (without terminal control characters). */
export function progressText(stage: string, elapsedMs: number, rows?: number): string {
  const onRows = rows !== undefined && stage !== 'policy' && stage !== 'dataset' ? ` ${rows.toLocaleString('en-US')} rows` : '';
  return `model-risk-gate: ${stageWords(stage)}${onRows} · ${formatElapsed(elapsedMs)}`;
}

export interface TerminalProgress {
  onProgress(event: GateProgress): void;
  /** Erases the line and stops redrawing (call before printing the report; safe to call twice). */
  done(): void;
}

interface ProgressOptions {
  /** Default: the stream is a terminal. */
  enabled?: boolean;
  /** Redraw period while a stage runs (the elapsed time keeps counting). Default 250 ms. */
  intervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

const ERASE_LINE = '\r\x1b[2K';

export function terminalProgress(stream: NodeJS.WritableStream, opts: ProgressOptions = {}): TerminalProgress {
  const tty = stream as NodeJS.WriteStream;
  const enabled = opts.enabled ?? Boolean(tty.isTTY);
  if (!enabled) return { onProgress: () => undefined, done: () => undefined };
  const now = opts.now ?? Date.now;
  let current: { stage: string; rows?: number; elapsedMs: number; at: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let shown = false;

  const draw = (): void => {
    if (!current) return;
    // a wrapped line could not be redrawn in place; a terminal that reports no size (0) gets 80 columns
    const width = Math.max(20, (tty.columns || 80) - 1);
    const text = messageLine(progressText(current.stage, current.elapsedMs + (now() - current.at), current.rows), width);
    stream.write(`${ERASE_LINE}${text}`);
    shown = true;
  };

  return {
    onProgress(event) {
      if (event.state !== 'start') return;
      current = { stage: event.stage, elapsedMs: event.elapsedMs, at: now(), ...(event.rows !== undefined ? { rows: event.rows } : {}) };
      draw();
      if (!timer) {
        timer = setInterval(draw, opts.intervalMs ?? 250);
        timer.unref();
      }
    },
    done() {
      if (timer) clearInterval(timer);
      timer = undefined;
      current = undefined;
      if (shown) stream.write(ERASE_LINE);
      shown = false;
    },
  };
}

/** report.timings as one line: `Stage timings: policy 0.0 s, dataset 0.1 s, …, total 7.2 s`. */
export function timingsLine(timings: Record<string, number>): string {
  return `Stage timings: ${Object.entries(timings).map(([stage, ms]) => `${stage} ${formatElapsed(ms)}`).join(', ')}`;
}
