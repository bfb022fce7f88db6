/**
 * Files that must never be loaded: every unsafe/ payload is refused with the offending global (and its byte offset)
 * named, before anything is built, and the payload's side effect does not happen; unsupported/ files are refused
 * with the estimator (or the compression) named and what to do instead.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/model/session.js';
import { ArtifactRefusal, openForeignModel } from '../../../src/model/sklearn/load.js';
import { ModelArtifactError, openModel } from '../../../src/model/sklearn/open.js';
import { sk } from './helpers.js';

const PWNED = '/tmp/pwned';
const before = existsSync(PWNED) ? statSync(PWNED).mtimeMs : null;

function refusal(file: string): ArtifactRefusal {
  try {
    openForeignModel(new Uint8Array(readFileSync(file)));
  } catch (e) {
    if (e instanceof ArtifactRefusal) return e;
    throw e;
  }
  throw new Error(`${file} was not refused`);
}

const UNSAFE: Array<[string, string]> = [
  ['os_system.joblib', 'posix.system'],
  ['os_system.pkl', 'posix.system'],
  ['subprocess.joblib', 'subprocess.check_output'],
  ['pipeline_with_eval.joblib', 'builtins.eval'],
];

describe('unsafe/ files are refused, the offending global named, nothing executed', () => {
  for (const [file, global] of UNSAFE) {
    it(file, async () => {
      const r = refusal(sk('unsafe', file));
      expect(r.reason).toBe('unsafe');
      expect(r.message).toContain(`\`${global}\``);
      expect(r.message).toMatch(/at byte \d+/);
      expect(r.scan.safe).toBe(false);
      const f = r.scan.findings.find((x) => x.severity === 'error');
      expect(f?.global).toBe(global);
      expect(f?.kind).toBe('dangerous-global');
      expect(typeof f?.offset).toBe('number');
      // through the gate's loader: a UserError located at the model file (exit 2)
      await expect(loadModel({ file: sk('unsafe', file), displayPath: `unsafe/${file}`, spec: { path: file, threshold: 0.5, batch_size: 100 } })).rejects.toMatchObject({
        name: 'UserError',
        location: { file: `unsafe/${file}` },
        message: expect.stringContaining(global),
      });
    });
  }

  it('a real Pipeline holding builtins.eval: every scikit-learn class is allowed, the one function is not', () => {
    const r = refusal(sk('unsafe', 'pipeline_with_eval.joblib'));
    expect(r.message).toContain('builtins.eval');
    expect(r.message).toContain('runs code');
  });

  it("the payloads' side effect did not happen (no /tmp/pwned written by this run)", () => {
    for (const [file] of UNSAFE) refusal(sk('unsafe', file));
    const after = existsSync(PWNED) ? statSync(PWNED).mtimeMs : null;
    expect(after).toBe(before);
    if (before === null) expect(existsSync(PWNED)).toBe(false);
  });
});

describe('unsupported/ files are refused with the estimator or the compression named', () => {
  it('svc_rbf.joblib: SVC named, with the supported list and the export recipe', () => {
    const r = refusal(sk('unsupported', 'svc_rbf.joblib'));
    expect(r.reason).toBe('unsupported');
    expect(r.message).toMatch(/^SVC .*not an estimator the gate can translate/);
    expect(r.message).toContain('HistGradientBoostingClassifier');
    expect(r.message).toContain('skl2onnx');
    expect(r.message).toContain('torch.onnx.export');
    // the file itself is safe: its classes are scikit-learn's; SVC is noted as a class the gate does not translate
    expect(r.scan.safe).toBe(true);
    expect(r.scan.findings.some((f) => f.kind === 'unknown-class' && f.global === 'sklearn.svm._classes.SVC')).toBe(true);
  });

  it('lr_lzma.joblib: lzma named, with how to re-save', () => {
    const r = refusal(sk('unsupported', 'lr_lzma.joblib'));
    expect(r.reason).toBe('unsupported');
    expect(r.message).toContain('lzma-compressed');
    expect(r.message).toContain("compress=3");
  });

  it('openModel turns refusals into a located UserError carrying the scan', () => {
    try {
      openModel(new Uint8Array(readFileSync(sk('unsupported', 'svc_rbf.joblib'))), { file: 'models/svc.joblib' });
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(ModelArtifactError);
      const m = e as ModelArtifactError;
      expect(m.location).toEqual({ file: 'models/svc.joblib' });
      expect(m.reason).toBe('unsupported');
      expect(m.oneLine()).toMatch(/^models\/svc\.joblib: SVC /);
    }
  });
});
