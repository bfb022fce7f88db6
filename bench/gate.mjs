// Wall time of the whole gate (policy -> data -> scoring -> metrics -> checks -> report) on Adult test (16,281 rows)
// for each shared Adult model, with the scoring share of it. Imports the tsc output in build/.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const MODELS = [
  { name: 'logreg_pipeline (ZipMap, 14 column tensors)', file: 'logreg_pipeline.onnx', features: '' },
  { name: 'logreg_pipeline_nozipmap', file: 'logreg_pipeline_nozipmap.onnx', features: '' },
  { name: 'gbt_onehot (tree ensemble, 108 features)', file: 'gbt_onehot.onnx', features: '  features:\n    file: test/fixtures/adult/onehot_features.json\n' },
  { name: 'mlp_torch (PyTorch MLP)', file: 'mlp_torch.onnx', features: '  features:\n    file: test/fixtures/adult/onehot_features.json\n' },
  { name: 'logreg_onehot', file: 'logreg_onehot.onnx', features: '  features:\n    file: test/fixtures/adult/onehot_features.json\n' },
];

function policy(m) {
  return `version: 1
model:
  path: test/fixtures/adult/${m.file}
${m.features}dataset:
  path: test/fixtures/adult/test.csv
  label: income
  positive_label: ">50K"
sensitive:
  - column: sex
  - column: race
  - column: age
    bins: [25, 45]
intersections:
  - [sex, age_bin]
checks:
  performance:
    roc_auc: { min: 0.85 }
    accuracy: { min: 0.8 }
  fairness:
    demographic_parity_ratio: { min: 0.8 }
    equalized_odds_difference: { max: 0.1 }
`;
}

export async function run(log) {
  const { runGate } = await import(join(root, 'build', 'gate.js'));
  const dir = mkdtempSync(join(tmpdir(), 'mrg-bench-'));
  log('| model | gate wall time (ms) | scoring (ms) | rows/s through the gate | checks |');
  log('|---|---:|---:|---:|---:|');
  for (const m of MODELS) {
    const file = join(dir, m.file + '.yml');
    writeFileSync(file, policy(m));
    await runGate({ policyFile: file, workspace: root }); // warm-up (session creation, JIT)
    const times = [];
    let last;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      last = await runGate({ policyFile: file, workspace: root });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const med = times[1];
    const scoring = last.report.timings.scoring;
    const rows = last.report.dataset.rows;
    log(`| ${m.name} | ${med.toFixed(0)} | ${scoring} | ${Math.round(rows / (Math.max(scoring, 1) / 1000)).toLocaleString('en-US')} | ${last.report.checks.length} |`);
  }
}
