/**
 * The committed CLI (node dist/cli.js) on translated models: every gate section (performance, fairness, robustness,
 * explainability with exact TreeSHAP, baseline against another translated model) on a .joblib pipeline; an unsafe
 * pickle fails with exit 2 naming the global and nothing runs; inspect (text, --json, --data) and convert.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/types.js';
import { repoRoot, runNode, type RunResult } from '../../e2e/harness.js';

const cli = join(repoRoot, 'dist', 'cli.js');
const HGB = 'test/fixtures/sklearn/adult/hgb_native_categorical.joblib';

describe('node dist/cli.js check on a translated scikit-learn pipeline: every section', () => {
  let run: RunResult;
  let report: Report;
  let sarif: { runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string }> }> };
  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'mrg-sk-'));
    run = await runNode([cli, 'check', '--policy', 'policies/example-sklearn.yml', '--baseline', 'test/fixtures/sklearn/adult/gb_pipeline.pkl', '--out', out, '--no-color'], { cwd: repoRoot, timeoutMs: 180_000 });
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    sarif = JSON.parse(readFileSync(join(out, 'model-risk-gate.sarif'), 'utf8'));
  }, 200_000);

  it('exits 1 (the policy is breached) with every section in the report', () => {
    expect(run.code, run.stderr).toBe(1);
    for (const s of ['performance', 'fairness', 'robustness', 'explainability', 'baseline'] as const) {
      expect(report.checks.some((c) => c.section === s), s).toBe(true);
    }
    expect(report.performance.metrics.roc_auc).toBeCloseTo(0.927172435510207, 6);
    expect(report.performance.metrics.accuracy).toBeCloseTo(0.8717523493642897, 9);
  });

  it('says what was translated and what the scan found', () => {
    const info = report.model.info as Report['model']['info'];
    expect(info.translated?.estimator).toBe('Pipeline(ColumnTransformer(OrdinalEncoder, passthrough), HistGradientBoostingClassifier)');
    expect(info.translated?.sklearnVersion).toBe('1.2.1');
    expect(info.artifact?.safe).toBe(true);
    expect(info.artifact?.format).toBe('joblib');
    expect(info.artifact?.compression).toBe('gzip');
    // the fingerprint is the file's, not the translation's
    expect(report.model.sha256).toBe(createHash('sha256').update(readFileSync(join(repoRoot, HGB))).digest('hex'));
    expect(report.model.bytes).toBe(statSync(join(repoRoot, HGB)).size);
  });

  it('explains with exact TreeSHAP through the translated encoder (raw columns as players)', () => {
    const e = report.explainability!;
    expect(e.method).toBe('tree_shap');
    expect(e.methodReason).toMatch(/grouped by raw column/);
    expect(e.features).toContain('native_country');
    expect(e.tree?.trees).toBe(80);
    expect(e.additivityError.probability).toBeLessThan(1e-9);
  });

  it('compares with a translated baseline model (.pkl) on the same rows', () => {
    expect(report.baseline?.status).toBe('compared');
    expect(report.baseline?.rows).toBe(16281);
    // the GradientBoosting pipeline's ROC AUC (its reference) vs the HistGradientBoosting one
    const auc = report.baseline?.metrics.find((m) => m.metric === 'roc_auc');
    expect(auc?.before).toBeCloseTo(0.9171460497342291, 6);
    expect(auc?.after).toBeCloseTo(0.927172435510207, 6);
  });

  it('SARIF: no model-artifact alert for a clean file', () => {
    expect(sarif.runs[0].results.some((r) => r.ruleId === 'model-artifact')).toBe(false);
  });
});

describe('node dist/cli.js on unsafe and unsupported files', () => {
  it('an unsafe pickle: exit 2, the global named, the payload not run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mrg-unsafe-'));
    const pwnedBefore = existsSync('/tmp/pwned') ? statSync('/tmp/pwned').mtimeMs : null;
    writeFileSync(join(dir, 'model.joblib'), readFileSync(join(repoRoot, 'test/fixtures/sklearn/unsafe/os_system.joblib')));
    writeFileSync(join(dir, 'eval.csv'), readFileSync(join(repoRoot, 'test/fixtures/adult/test.csv'), 'utf8').split('\n').slice(0, 200).join('\n') + '\n');
    writeFileSync(join(dir, 'policy.yml'), 'version: 1\nmodel: { path: model.joblib }\ndataset: { path: eval.csv, label: income, positive_label: ">50K" }\nchecks:\n  performance:\n    roc_auc: { min: 0.5 }\n');
    const r = await runNode([cli, 'check', '--policy', 'policy.yml', '--no-color'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model\.joblib: unsafe model file: the pickle names `posix\.system` at byte \d+/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(existsSync('/tmp/pwned') ? statSync('/tmp/pwned').mtimeMs : null).toBe(pwnedBefore);
  });

  it('an unsupported estimator: exit 2 naming it', async () => {
    const r = await runNode([cli, 'inspect', 'test/fixtures/sklearn/unsupported/svc_rbf.joblib'], { cwd: repoRoot });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/svc_rbf\.joblib: SVC .*not an estimator the gate can translate/);
  });
});

describe('inspect and convert', () => {
  it('inspect model.joblib: estimator tree, inputs, scan, scoring', async () => {
    const r = await runNode([cli, 'inspect', HGB], { cwd: repoRoot });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/format\s+joblib \(gzip-compressed\)/);
    expect(r.stdout).toMatch(/scikit-learn 1\.2\.1, translated to ONNX in memory/);
    expect(r.stdout).toMatch(/Scan: safe/);
    expect(r.stdout).toMatch(/prep: ColumnTransformer/);
    expect(r.stdout).toMatch(/cat: OrdinalEncoder \(handle_unknown=use_encoded_value, unknown_value=-1; columns workclass/);
    expect(r.stdout).toMatch(/clf: HistGradientBoostingClassifier \(80 iterations, 8 native categorical features\)/);
    expect(r.stdout).toMatch(/native_country {2}string \[N, 1\]/);
    expect(r.stdout).toMatch(/age {2}float64 \[N, 1\]/);
    expect(r.stdout).toMatch(/output probabilities \(probabilities\), column 1 = class 1/);
    expect(r.stdout).toMatch(/explained by exact TreeSHAP on 80 tree\(s\) over 14 encoded features, grouped into 14 raw columns/);
  });

  it('inspect --data: every input found in the CSV; a CSV without a column is reported (exit 2)', async () => {
    const ok = await runNode([cli, 'inspect', HGB, '--data', 'test/fixtures/adult/test.csv'], { cwd: repoRoot });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/every input has a column \(14\)/);
    const dir = mkdtempSync(join(tmpdir(), 'mrg-data-'));
    writeFileSync(join(dir, 'x.csv'), 'age,workclass\n30,Private\nabc,Private\n');
    const bad = await runNode([cli, 'inspect', HGB, '--data', join(dir, 'x.csv')], { cwd: repoRoot });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/input `education` \(string\) has no column in the CSV/);
    expect(bad.stdout).toMatch(/input `age` takes numbers but line 3 has `abc`/);
  });

  it('inspect --json keeps the machine-readable form; ONNX files get the text form too', async () => {
    const j = await runNode([cli, 'inspect', HGB, '--json'], { cwd: repoRoot });
    const info = JSON.parse(j.stdout);
    expect(info.format).toBe('joblib');
    expect(info.translated.estimator.cls).toBe('Pipeline');
    expect(info.inputs).toHaveLength(14);
    const onnx = await runNode([cli, 'inspect', 'test/fixtures/adult/logreg_pipeline.onnx'], { cwd: repoRoot });
    expect(onnx.stdout).toMatch(/format\s+onnx/);
    expect(onnx.stdout).toMatch(/Scan: safe/);
  });

  it('convert model.joblib -o model.onnx writes a graph onnxruntime scores like the gate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mrg-convert-'));
    const out = join(dir, 'model.onnx');
    const r = await runNode([cli, 'convert', 'test/fixtures/sklearn/german-credit/et_minmax.joblib', '-o', out], { cwd: repoRoot });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Wrote .*model\.onnx \(\d+ bytes\): ONNX graph of Pipeline\(ColumnTransformer\(MinMaxScaler, OneHotEncoder\), ExtraTreesClassifier\)/);
    const s = await ort.InferenceSession.create(readFileSync(out));
    expect(s.outputNames).toEqual(['probabilities']);
    expect(s.inputNames.length).toBe(20);
    const again = await runNode([cli, 'inspect', out], { cwd: repoRoot });
    expect(again.stdout).toMatch(/format\s+onnx/);
    await s.release();
  });
});
