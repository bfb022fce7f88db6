/**
 * The guarantees of issue #10 piece by piece, in-process: the output writer and stdio guard, confined reads and
 * symlink-safe writes, the policy's bounds (keys, depth, duplicate keys in one pass), the ONNX wire measure, pickle
 * detection, the saved-report reader, and name shortening.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, readdirSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy, loadPolicy, MAX_POLICY_NODES } from '../../src/policy/load.js';
import { DEFAULT_WIRE_LIMITS, estimatedDecodeBytes, measureOnnxWire, WireLimitError } from '../../src/model/proto-wire.js';
import { looksLikePickle, parseModel, pickleImports } from '../../src/model/signature.js';
import { shortenName, escapeHtml, escapeMarkdown, sanitizeTerminal } from '../../src/report/escape.js';
import { breakWorkflowCommands, createLineGuard, createWriter, jsonWithoutCommands, messageLine } from '../../src/util/output.js';
import { prepareOutputDir, readConfinedSync, writeFileAtomic } from '../../src/util/safe-fs.js';
import { jsonNestingBeyond, parseSavedReport } from '../../src/util/saved-report.js';
import { UserError } from '../../src/util/errors.js';
import { repoRoot } from '../e2e/harness.js';
import { samplePassingReport, sampleFailingReport } from '../report/sample-report.js';
import { verdictHeaderWithRun } from '../../src/report/comment.js';
import { emptyNodesModel, maliciousPickle, modelBytes, nestedGraphsModel, stackGlobalPickle } from './kit.js';

const FIXTURES = join(repoRoot, 'test', 'fixtures');
const commandStart = (text: string): string[] => text.split(/\r\n|\r|\n/).filter((l) => /^\s*(::|##\[)/.test(l));

describe('output writer', () => {
  it('messageLine: one line, no control/ANSI/bidi characters, no :: or ##[, bounded', () => {
    expect(messageLine('a\n::warning::PWN\r\n::add-mask::x')).toBe('a : :warning: :PWN : :add-mask: :x');
    expect(messageLine('k\u2028::error::x\u0085')).toBe('k : :error: :x');
    expect(messageLine('\u001b[31mred\u001b[0m \u202eevil')).toBe('red evil');
    expect(messageLine('x\n##[warning]PWN')).toBe('x # #[warning]PWN');
    expect(messageLine(':::')).toBe(': : :');
    const long = messageLine('y'.repeat(10_000));
    expect(long.length).toBe(2000);
    expect(long.endsWith('…')).toBe(true);
  });

  it('the line guard neutralises commands at any line start, across chunk boundaries, and lets ours through', () => {
    const g = createLineGuard();
    const out = [g.write('ok\n:'), g.write(':warning::PWN\n  ::add-mask::x\r::set-output name=a::b\n#'), g.write('#[error]x\n'), g.flush()].join('');
    expect(commandStart(out)).toEqual([]);
    expect(out).toContain(': :warning::PWN');
    expect(out).toContain('  : :add-mask::x');
    expect(out).toContain('# #[error]x');
    const ours = createLineGuard();
    expect(ours.write('::error title=t::msg\n', true)).toBe('::error title=t::msg\n');
    expect(ours.write('::warning::PWN\n', false)).toBe(': :warning::PWN\n');
  });

  it('the writer: messages are one line each; rendered text has no command anywhere; JSON stays the same value', () => {
    let written = '';
    const w = createWriter({ write: (s: string) => ((written += s), true) } as unknown as NodeJS.WritableStream);
    w.line('model-risk-gate: policy.yml:3: unknown key `x\n::warning::PWN`');
    w.text('table\n::error::row\n  name ::x\n');
    expect(written.split('\n').filter(Boolean)).toHaveLength(4);
    expect(written).not.toContain('::');
    const value = { name: 'n0\n::warning::PWN\n', tag: '##[x]', n: 1 };
    const json = jsonWithoutCommands(JSON.stringify(value, null, 2));
    expect(json).not.toContain('::');
    expect(json).not.toContain('##[');
    expect(JSON.parse(json)).toEqual(value);
    expect(breakWorkflowCommands('std::vector')).toBe('std: :vector');
  });

  it('renderers: terminal text breaks ::; long names are shortened with a hash where they enter the report', () => {
    expect(sanitizeTerminal('g\n::warning::PWN')).toBe('g : :warning: :PWN');
    const a = shortenName('n'.repeat(50_000) + 'a', 100);
    const b = shortenName('n'.repeat(50_000) + 'b', 100);
    expect(a.length).toBe(100);
    expect(a).not.toBe(b);
    expect(escapeHtml(a)).toBe(a);
    expect(escapeMarkdown(a)).toMatch(/^n+…#&#8203;[0-9a-f]{8}$/);
    expect(shortenName('abcdefghijklmnop', 12)).toMatch(/^ab…#[0-9a-f]{8}$/);
    expect(shortenName('short', 12)).toBe('short');
  });
});

describe('confined reads and writes', () => {
  const root = mkdtempSync(join(tmpdir(), 'mrg-units-'));
  const ws = join(root, 'ws');
  const outside = join(root, 'outside');
  mkdirSync(join(ws, '.git'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'SECRET\n');
  writeFileSync(join(ws, 'ok.txt'), 'hello');
  writeFileSync(join(ws, '.git', 'config'), 'SECRET');
  symlinkSync(join(outside, 'secret.txt'), join(ws, 'link.txt'));
  symlinkSync('/proc/self/pagemap', join(ws, 'pagemap'));
  execFileSync('mkfifo', [join(ws, 'fifo')]);
  const opts = { workspace: ws, maxBytes: 1024, what: 'test' };
  const message = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      return (e as UserError).oneLine();
    }
    throw new Error('no error');
  };

  it('reads a regular file inside; refuses symlinks out, .git/, FIFOs, directories, big and endless files', () => {
    expect(readConfinedSync('ok.txt', opts).toString()).toBe('hello');
    expect(message(() => readConfinedSync('link.txt', opts))).toMatch(/^link\.txt: the test file is a symbolic link to a file outside the repository/);
    expect(message(() => readConfinedSync('.git/config', opts))).toMatch(/\.git\//);
    expect(message(() => readConfinedSync('fifo', opts))).toMatch(/not a regular file/);
    expect(message(() => readConfinedSync('.git', opts))).toMatch(/directory|\.git/);
    expect(message(() => readConfinedSync('nope', opts))).toMatch(/^nope: test file not found/);
    writeFileSync(join(ws, 'big.txt'), 'x'.repeat(2048));
    expect(message(() => readConfinedSync('big.txt', opts))).toMatch(/more than the limit of 1\.0 KiB/);
    // outside the workspace as given (an operator's explicit path): allowed unless requireInside
    expect(readConfinedSync(join(outside, 'secret.txt'), opts).toString()).toBe('SECRET\n');
    expect(message(() => readConfinedSync(join(outside, 'secret.txt'), { ...opts, requireInside: true }))).toMatch(/outside the repository/);
    for (const f of ['link.txt', '.git/config', 'fifo', 'big.txt']) expect(message(() => readConfinedSync(f, opts))).not.toContain('SECRET');
  });

  it('/proc/self/pagemap through a symlink is refused (its size is 0; the read would not end)', () => {
    expect(message(() => readConfinedSync('pagemap', opts))).toMatch(/outside the repository/);
  });

  it('writes replace a planted symlink instead of following it; a symlinked directory is refused', () => {
    const out = join(ws, 'report');
    mkdirSync(out);
    symlinkSync(join(outside, 'secret.txt'), join(out, 'report.json'));
    const real = prepareOutputDir(out, ws);
    writeFileAtomic(real, 'report.json', '{}');
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('SECRET\n');
    expect(lstatSync(join(out, 'report.json')).isFile()).toBe(true);
    expect(readdirSync(out)).toEqual(['report.json']); // no temporary file left
    symlinkSync(outside, join(out, 'charts'));
    expect(() => writeFileAtomic(real, 'charts/x.svg', '<svg/>')).toThrow(UserError);
    expect(readdirSync(outside)).toEqual(['secret.txt']);
    symlinkSync(outside, join(ws, 'linked-out'));
    expect(message(() => prepareOutputDir(join(ws, 'linked-out', 'sub'), ws))).toMatch(/symbolic link/);
    expect(message(() => prepareOutputDir(join(ws, '.git', 'hooks'), ws))).toMatch(/\.git/);
  });
});

describe('policy bounds', () => {
  const doc = (text: string) => () => parsePolicy(text, { workspace: tmpdir(), displayPath: 'p.yml' });
  const first = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as UserError).oneLine();
    }
    return '';
  };

  it('a megabyte-long value or quoted key is refused at its line', () => {
    expect(first(doc(`version: 1\nname: "${'v'.repeat(1_000_000)}"\n`))).toMatch(/^p\.yml:2:7: a key or value of 1000000 characters, more than the limit of 4096/);
    expect(first(doc(`version: 1\n"${'k'.repeat(5000)}": 1\n`))).toMatch(/^p\.yml:2:1: /);
  });

  it('many keys: refused in one linear pass, at the key where the limit is passed', () => {
    const text = 'version: 1\n' + Array.from({ length: MAX_POLICY_NODES + 10 }, (_, i) => `k${i}: 1`).join('\n');
    expect(first(doc(text))).toMatch(/^p\.yml:\d+:\d+: the policy has more than 20000 keys and values/);
  });

  it('duplicate keys among 15,000 are found (one Set per mapping) and the list of problems is capped', () => {
    const text = 'version: 1\nx:\n' + Array.from({ length: 15_000 }, () => '  a: 1').join('\n');
    let err: UserError | undefined;
    try {
      doc(text)();
    } catch (e) {
      err = e as UserError;
    }
    expect(err!.oneLine()).toBe('p.yml:4:3: YAML syntax error: Map keys must be unique; keep one of them');
    expect(err!.more.length).toBe(20);
    expect(err!.more[19]!.message).toMatch(/more problem\(s\) not listed/);
  });

  it('deep nesting: flow, block, compact sequences and JSON each give the nesting message, never a stack overflow', () => {
    for (const text of [
      'x: ' + '['.repeat(200_000) + ']'.repeat(200_000),
      Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1',
      'x:\n' + '- '.repeat(20_000) + '1',
      '{"x": ' + '{"a": '.repeat(50_000) + '1' + '}'.repeat(50_000) + '}',
    ]) {
      const msg = first(doc(text));
      expect(msg).toMatch(/nest/);
      expect(msg).not.toMatch(/call stack/);
    }
  });

  it('the policy file itself is confined: a symlink to a secret outside is refused without echoing it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mrg-units-policy-'));
    mkdirSync(join(root, 'ws'));
    writeFileSync(join(root, 'secret.yml'), 'version: SECRET-VALUE\n');
    symlinkSync(join(root, 'secret.yml'), join(root, 'ws', 'policy.yml'));
    const err = await loadPolicy('policy.yml', { workspace: join(root, 'ws') }).catch((e: UserError) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).oneLine()).toBe('policy.yml: the policy file is a symbolic link to a file outside the repository; point at a regular file inside it');
  });
});

describe('models: bounded on the wire, pickles named', () => {
  it('measures a real model; stops at the node limit of 3 million empty nodes without decoding', () => {
    const cost = measureOnnxWire(modelBytes());
    expect(cost.nodes).toBe(3);
    expect(cost.depth).toBe(1);
    expect(() => measureOnnxWire(emptyNodesModel(3_000_000))).toThrow(WireLimitError);
    expect(() => measureOnnxWire(emptyNodesModel(3_000_000))).toThrow(/more than 500,000 nodes/);
    expect(() => measureOnnxWire(nestedGraphsModel(100))).toThrow(/nested more than 64 levels/);
    const where = { file: 'm.onnx' };
    expect(() => parseModel(emptyNodesModel(600_000), where)).toThrow(/^the model is too large to load safely: more than 500,000 nodes/);
    // the memory estimate: every fixture model is far below it
    const fixtures = ['adult', 'german-credit'].flatMap((d) => readdirSync(join(FIXTURES, d)).filter((n) => n.endsWith('.onnx')).map((n) => `${d}/${n}`));
    expect(fixtures.length).toBeGreaterThan(3);
    for (const f of fixtures) {
      const path = join(FIXTURES, f);
      if (!existsSync(path)) continue;
      const bytes = readFileSync(path);
      expect(estimatedDecodeBytes(measureOnnxWire(bytes)), f).toBeLessThan(DEFAULT_WIRE_LIMITS.maxDecodeBytes / 4);
    }
  });

  it('pickles: detected by content, their imports listed from the opcodes (never executed)', () => {
    expect(looksLikePickle(maliciousPickle())).toBe(true);
    expect(looksLikePickle(modelBytes())).toBe(false);
    expect(pickleImports(maliciousPickle())).toEqual(['posix.system']);
    expect(pickleImports(stackGlobalPickle())).toEqual(['os.system']);
    let msg = '';
    try {
      parseModel(maliciousPickle(), { file: 'model.onnx' });
    } catch (e) {
      msg = (e as UserError).oneLine();
    }
    expect(msg).toMatch(/^model\.onnx: the model file is a Python pickle .*it imports posix\.system \(posix\.system would run commands when unpickled\)/);
    expect(msg).not.toMatch(/index out of range/);
  });
});

describe('comment-from: the saved report', () => {
  const where = { file: 'downloaded/report.json' };
  const msg = (text: string): string => {
    try {
      parseSavedReport(text, where);
    } catch (e) {
      return (e as UserError).oneLine();
    }
    return '';
  };

  it('depth is bounded before parsing; invalid JSON is named without quoting it; the schema decides the rest', () => {
    expect(jsonNestingBeyond('{"a": "[[[[[["}', 2)).toBe(-1);
    expect(jsonNestingBeyond('[[[', 2)).toBe(2);
    expect(msg('['.repeat(200_000))).toMatch(/^downloaded\/report\.json: not a model-risk-gate report: arrays\/objects nested more than 64 levels deep/);
    expect(msg('{"secret": SECRET-VALUE}')).toMatch(/^downloaded\/report\.json: not a model-risk-gate report: the file is not valid JSON( \(at character \d+\))?$/);
    expect(msg('{"schemaVersion": 1}')).toMatch(/does not match policies\/report\.schema\.json/);
  });
});

describe('comment-from: the verdict with the triggering run', () => {
  const url = 'https://github.com/o/r/actions/runs/9';
  it('a pass is a plain pass only when the run succeeded; otherwise "not verified", with the conclusion shown', () => {
    const pass = samplePassingReport();
    const ok = verdictHeaderWithRun(pass, { conclusion: 'success', url });
    expect(ok.startsWith('## ✅ Model risk gate passed')).toBe(true);
    expect(ok).toContain(`the [workflow run](${url}) that produced it concluded **success**.`);
    for (const conclusion of ['failure', 'cancelled', 'timed_out', null, 'x\n::warning::PWN']) {
      const h = verdictHeaderWithRun(pass, { conclusion, url });
      expect(h).not.toContain('✅');
      expect(h.startsWith('## ⚠️ Model risk gate: not verified')).toBe(true);
      expect(h).toContain(`concluded **${conclusion === null || conclusion.includes('\n') ? 'unknown' : conclusion.replace('_', '\\_')}**`);
    }
    const fail = verdictHeaderWithRun(sampleFailingReport(), { conclusion: 'success', url: 'javascript:alert(1)' });
    expect(fail.startsWith('## ❌ Model risk gate failed')).toBe(true);
    expect(fail).toContain('the workflow run that produced it concluded **success**');
    expect(verdictHeaderWithRun(pass, undefined)).toBe(verdictHeaderWithRun(pass, undefined).split('\n\nThe report says')[0]);
  });
});
