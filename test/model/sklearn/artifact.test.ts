/**
 * Artifact scan of ONNX files (external data, custom operator domains, oversized tensors) and the scan in the report
 * renderers: a warning becomes a SARIF result of the `model-artifact` rule (with security-severity) at the model file
 * and a line of the summary; the report with the scan validates against policies/report.schema.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/model/onnx-graph.js';
import { scanOnnx } from '../../../src/model/sklearn/artifact.js';
import { GraphBuilder, T_DOUBLE } from '../../../src/model/sklearn/onnx-builder.js';
import { ModelArtifactError, openModel } from '../../../src/model/sklearn/open.js';
import { runGate } from '../../../src/gate.js';
import { renderSummary as renderMarkdown } from '../../../src/report/markdown.js';
import { renderSarif } from '../../../src/report/sarif.js';
import { renderHtml } from '../../../src/report/html.js';
import { ROOT } from './helpers.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

function model(edit: (g: GraphBuilder) => void): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', T_DOUBLE, ['N', 1]);
  edit(g);
  g.node('Identity', ['x'], {}, { names: ['y'] });
  g.output('y', T_DOUBLE, ['N', 1]);
  return g.build({ producer: 'test' });
}

describe('ONNX artifact scan', () => {
  it('a clean graph: safe, no findings', () => {
    const bytes = model(() => {});
    const s = scanOnnx(decodeModel(bytes), bytes.length);
    expect(s).toMatchObject({ format: 'onnx', safe: true, findings: [] });
  });

  it('external data is refused (the runtime would read a file beside the model)', () => {
    const bytes = model((g) => g.initializers.push({ name: 'w', dataType: 1, dims: [4], dataLocation: 1, externalData: [{ key: 'location', value: '../../etc/passwd' }] }));
    expect(() => openModel(bytes, { file: 'm.onnx' })).toThrow(ModelArtifactError);
    try {
      openModel(bytes, { file: 'm.onnx' });
    } catch (e) {
      const m = e as ModelArtifactError;
      expect(m.message).toMatch(/^unsafe ONNX model file: tensor w keeps its data in an external file \(\.\.\/\.\.\/etc\/passwd\)/);
      expect(m.scan.findings[0]).toMatchObject({ severity: 'error', kind: 'external-data' });
      expect(m.oneLine()).toMatch(/^m\.onnx: unsafe ONNX model file/);
    }
  });

  it('an oversized tensor declaration is refused', () => {
    const bytes = model((g) => g.initializers.push({ name: 'big', dataType: 11, dims: [1_000_000, 1_000_000], rawData: new Uint8Array(8) }));
    const s = scanOnnx(decodeModel(bytes), bytes.length);
    expect(s.safe).toBe(false);
    expect(s.findings[0]).toMatchObject({ severity: 'error', kind: 'oversized-tensor' });
    expect(s.findings[0].message).toMatch(/tensor big declares shape \[1000000, 1000000\] \(8000000000000 bytes\)/);
  });

  it('a custom operator domain is a warning; com.microsoft a note', () => {
    const bytes = model((g) => {
      g.node('Evil', ['x'], {}, { domain: 'com.example.evil', names: ['z'] });
      g.node('FusedMatMul', ['x', 'x'], {}, { domain: 'com.microsoft', names: ['w'] });
    });
    const s = scanOnnx(decodeModel(bytes), bytes.length);
    expect(s.safe).toBe(true);
    expect(s.findings).toEqual([
      expect.objectContaining({ severity: 'warning', kind: 'custom-op-domain', message: expect.stringContaining('custom domain com.example.evil') }),
      expect.objectContaining({ severity: 'note', kind: 'custom-op-domain', message: expect.stringContaining('com.microsoft') }),
    ]);
  });

  it('the shipped ONNX fixtures scan clean', () => {
    for (const f of ['adult/logreg_pipeline.onnx', 'adult/gbt_onehot.onnx', 'adult/mlp_torch.onnx']) {
      const bytes = new Uint8Array(readFileSync(join(ROOT, 'test', 'fixtures', f)));
      expect(scanOnnx(decodeModel(bytes), bytes.length).safe, f).toBe(true);
    }
  });
});

describe('the scan in the report, the summary and SARIF', () => {
  it('a translated model: scan and translation in the report (schema-valid); a warning -> model-artifact SARIF result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mrg-sk-report-'));
    const policy = join(dir, 'policy.yml');
    writeFileSync(
      policy,
      [
        'version: 1',
        'model:',
        `  path: test/fixtures/sklearn/german-credit/dt_pipeline.joblib`,
        'dataset:',
        `  path: test/fixtures/german-credit/test.csv`,
        `  label: ${JSON.parse(readFileSync(join(ROOT, 'test/fixtures/sklearn/german-credit/dt_pipeline.reference.json'), 'utf8')).label}`,
        `  positive_label: ${JSON.stringify(String(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/sklearn/german-credit/dt_pipeline.reference.json'), 'utf8')).positive_label))}`,
        'checks:',
        '  performance:',
        '    roc_auc: { min: 0.6 }',
        'statistics: { resamples: 0 }',
      ].join('\n'),
    );
    const { report } = await runGate({ policyFile: policy, workspace: ROOT });
    const info = report.model.info;
    expect(info.artifact).toMatchObject({ format: 'joblib', compression: 'none', safe: true });
    expect(info.translated?.estimator).toMatch(/^Pipeline\(ColumnTransformer\((OneHotEncoder, passthrough|passthrough, OneHotEncoder)\), DecisionTreeClassifier\)$/);
    expect(report.performance.metrics.roc_auc).toBeCloseTo(0.6557407407407407, 9);
    const schema = JSON.parse(readFileSync(join(ROOT, 'policies', 'report.schema.json'), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);

    // no warning: no model-artifact rule or result
    expect(renderSarif(report, { automationId: 'x/' }).runs[0].results.some((r) => r.ruleId === 'model-artifact')).toBe(false);
    const md = renderMarkdown(report);
    expect(md).toContain('artifact scan safe (joblib; no warnings)');
    expect(md).toContain('translated from joblib');

    // a warning finding (e.g. an ONNX custom operator domain) becomes an alert
    info.artifact!.findings.push({ severity: 'warning', kind: 'custom-op-domain', message: 'the graph uses operators of the custom domain com.example.evil, which need a library registered with the runtime; the gate never loads one' });
    const log = renderSarif(report, { automationId: 'x/' });
    const run = log.runs[0];
    const rule = run.tool.driver.rules.find((r) => r.id === 'model-artifact');
    expect(rule?.properties['security-severity']).toBe('8.0');
    expect(rule?.properties.tags).toContain('security');
    const result = run.results.find((r) => r.ruleId === 'model-artifact');
    expect(result?.level).toBe('warning');
    expect(result?.message.text).toContain('com.example.evil');
    expect(result?.locations[0].physicalLocation.artifactLocation.uri).toBe('test/fixtures/sklearn/german-credit/dt_pipeline.joblib');
    expect(renderMarkdown(report)).toContain('⚠️ the graph uses operators of the custom domain com.example.evil');
    const html = renderHtml(report, []);
    expect(html).toContain('<dt>Translated from</dt><dd>joblib: Pipeline(ColumnTransformer(');
    expect(html).toMatch(/<dt>Artifact scan<\/dt><dd>artifact scan safe \(joblib; 1 warning\(s\)\) · the graph uses operators of the custom domain com\.example\.evil/);
  }, 60_000);
});
