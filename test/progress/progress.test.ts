/**
 * Progress (issue #15): the gate tells each stage's start and end (with the timings it reports), the terminal shows
 * one line redrawn in place on stderr only when it is a TTY, the Action opens one log group per stage, and the CLI
 * prints the files it wrote after the report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cli } from '../../src/cli.js';
import { runGate, type GateProgress } from '../../src/gate.js';
import { actionProgress } from '../../src/github/progress.js';
import { formatElapsed, progressText, terminalProgress, timingsLine } from '../../src/progress.js';

const repo = resolve(import.meta.dirname, '../..');
const EXAMPLE = 'policies/example-german-credit.yml';

class Capture extends Writable {
  chunks: string[] = [];
  isTTY: boolean;
  columns: number;
  constructor(isTTY: boolean, columns = 80) {
    super();
    this.isTTY = isTTY;
    this.columns = columns;
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(String(chunk));
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the gate reports its stages', () => {
  it('start and end of every stage, in order, with report.timings and the row count once the data is read', async () => {
    const events: GateProgress[] = [];
    const { report } = await runGate({ policyFile: join(repo, EXAMPLE), workspace: repo, onProgress: (e) => events.push(e) });
    const ends = events.filter((e) => e.state === 'end');
    expect(ends.map((e) => e.stage)).toEqual(Object.keys(report.timings).filter((k) => k !== 'total'));
    for (const e of ends) expect(e.stageMs, e.stage).toBe(report.timings[e.stage]);
    const starts = events.filter((e) => e.state === 'start').map((e) => e.stage);
    expect(starts).toEqual(ends.map((e) => e.stage)); // every stage is announced before it runs
    expect(starts.slice(0, 6)).toEqual(['policy', 'dataset', 'model', 'scoring', 'metrics', 'checks']);
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      expect(e.rows, `${e.state} ${e.stage}`).toBe(i <= 2 ? undefined : 300); // policy start/end, dataset start: not yet
      if (i > 0) expect(e.elapsedMs).toBeGreaterThanOrEqual(events[i - 1]!.elapsedMs);
    }
  }, 60_000);

  it('a throwing progress callback does not change the run', async () => {
    const { report } = await runGate({ policyFile: join(repo, EXAMPLE), workspace: repo, onProgress: () => { throw new Error('display broke'); } });
    expect(report.verdict).toBe('pass');
  }, 60_000);
});

describe('terminal progress line', () => {
  it('formats stage, rows and elapsed time', () => {
    expect(formatElapsed(0)).toBe('0.0 s');
    expect(formatElapsed(12_345)).toBe('12.3 s');
    expect(formatElapsed(125_000)).toBe('2 min 05 s');
    expect(progressText('scoring', 3210, 16281)).toBe('model-risk-gate: scoring 16,281 rows · 3.2 s');
    expect(progressText('dataset', 50)).toBe('model-risk-gate: reading the dataset · 0.1 s');
    expect(progressText('checks', 7000, 300)).toBe('model-risk-gate: checks and confidence intervals 300 rows · 7.0 s');
    expect(timingsLine({ policy: 18, scoring: 245, total: 7201 })).toBe('Stage timings: policy 0.0 s, scoring 0.2 s, total 7.2 s');
  });

  it('redraws one line in place on a TTY, counts the elapsed time while a stage runs, and erases itself', () => {
    let clock = 1000;
    const tty = new Capture(true, 40);
    const p = terminalProgress(tty, { now: () => clock, intervalMs: 60_000 });
    p.onProgress({ stage: 'policy', state: 'start', elapsedMs: 0 });
    p.onProgress({ stage: 'policy', state: 'end', elapsedMs: 20, stageMs: 20 });
    clock += 1500;
    p.onProgress({ stage: 'scoring', state: 'start', elapsedMs: 1500, rows: 16281 });
    expect(tty.chunks).toEqual(['\r\x1b[2Kmodel-risk-gate: reading the policy · …', '\r\x1b[2Kmodel-risk-gate: scoring 16,281 rows ·…']);
    expect(tty.chunks.every((c) => !c.includes('\n') && c.length <= 5 + 39)).toBe(true); // never wider than the terminal
    p.done();
    expect(tty.chunks.at(-1)).toBe('\r\x1b[2K');
    p.done();
    expect(tty.chunks).toHaveLength(3);
  });

  it('keeps counting between events (timer redraw) and breaks workflow commands in what it shows', async () => {
    let clock = 0;
    const tty = new Capture(true, 200);
    const p = terminalProgress(tty, { now: () => clock, intervalMs: 5 });
    p.onProgress({ stage: '::error::pwned', state: 'start', elapsedMs: 0 });
    clock = 4200;
    await new Promise((r) => setTimeout(r, 30));
    p.done();
    expect(tty.text).toContain('model-risk-gate: : :error: :pwned · 4.2 s');
    expect(tty.text).not.toContain('::');
  });

  it('a terminal that reports no width (columns 0, as under `script`) gets 80 columns', () => {
    const tty = new Capture(true, 0);
    const p = terminalProgress(tty, { now: () => 0, intervalMs: 60_000 });
    p.onProgress({ stage: 'explainability', state: 'start', elapsedMs: 61_000, rows: 16281 });
    p.done();
    expect(tty.chunks[0]).toBe('\r\x1b[2Kmodel-risk-gate: explanations (SHAP) 16,281 rows · 1 min 01 s');
  });

  it('is silent when stderr is not a terminal', () => {
    const pipe = new Capture(false);
    const p = terminalProgress(pipe);
    p.onProgress({ stage: 'scoring', state: 'start', elapsedMs: 0, rows: 5 });
    p.done();
    expect(pipe.chunks).toEqual([]);
  });
});

describe('Action log groups', () => {
  it('one group per stage, opened at its start and closed with its duration', () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      const lines: string[] = [];
      const p = actionProgress((l) => lines.push(l));
      p.onProgress({ stage: 'dataset', state: 'start', elapsedMs: 5 });
      p.onProgress({ stage: 'dataset', state: 'end', elapsedMs: 60, stageMs: 55, rows: 16281 });
      p.onProgress({ stage: 'scoring', state: 'start', elapsedMs: 300, rows: 16281 });
      p.onProgress({ stage: 'scoring', state: 'end', elapsedMs: 545, stageMs: 245, rows: 16281 });
      p.onProgress({ stage: 'robustness', state: 'start', elapsedMs: 600, rows: 16281 });
      p.done(); // the run failed inside robustness: the group is closed anyway
      p.done();
      expect(out.map((s) => s.trim())).toEqual([
        '::group::model-risk-gate: reading the dataset',
        '::endgroup::',
        '::group::model-risk-gate: scoring (16,281 rows)',
        '::endgroup::',
        '::group::model-risk-gate: robustness attacks (16,281 rows)',
        '::endgroup::',
      ]);
      expect(lines).toEqual(['dataset done in 0.1 s: 16,281 rows (0.1 s since the start)', 'scoring done in 0.2 s (0.5 s since the start)']);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('CLI', () => {
  it('prints the files it wrote after the report, and no progress when stderr is not a terminal', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mrg-progress-'));
    dirs.push(out);
    const stdout = new Capture(false);
    const stderr = new Capture(false);
    const code = await cli(['check', '--policy', join(repo, EXAMPLE), '--workspace', repo, '--out', out, '--no-color'], stdout, stderr);
    expect(code).toBe(0);
    const lines = stdout.text.trimEnd().split('\n');
    expect(lines.slice(-3)).toEqual([`Report: ${join(out, 'report.json')}`, `HTML:   ${join(out, 'report.html')}`, `SARIF:  ${join(out, 'model-risk-gate.sarif')}`]);
    expect(lines.findIndex((l) => l.startsWith('✔ PASS'))).toBeLessThan(lines.length - 3);
    expect(stderr.text).toBe('');
  }, 60_000);

  it('shows the stages on a terminal stderr and erases the line before the report', async () => {
    const stdout = new Capture(false);
    const stderr = new Capture(true, 100);
    const code = await cli(['check', '--policy', join(repo, EXAMPLE), '--workspace', repo, '--no-color'], stdout, stderr);
    expect(code).toBe(0);
    for (const words of ['reading the policy', 'reading the dataset', 'loading the model 300 rows', 'scoring 300 rows', 'checks and confidence intervals 300 rows']) {
      expect(stderr.text).toContain(`model-risk-gate: ${words} · `);
    }
    expect(stderr.text.endsWith('\r\x1b[2K')).toBe(true);
    expect(stderr.text).not.toContain('\n');
  }, 60_000);
});
