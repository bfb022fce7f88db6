// Data checks and readers (issue #13), on build/ (tsc output):
//  - readers: Adult test (16,281 rows) through the streaming reader (CSV, gzip, Parquet) and the in-memory CSV reader;
//  - the policy's data section (drift of 14 columns, integrity, leakage, representation) on Adult train (32,561 rows,
//    .csv.gz) vs test (16,281 rows), as policies/example-adult-data.yml runs it;
//  - 1,000,000 synthetic Adult-like rows against a 1,000,000-row reference (one column shifted): read time, data-section
//    time and peak RSS.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = process.env.MRG_BUILD_DIR ?? join(ROOT, 'build'); // npm run bench compiles to build/
const build = (p) => import(pathToFileURL(join(BUILD, p)).href);

async function timeMs(fn) {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, r];
}

async function best(fn, repeats = 3) {
  let bestMs = Infinity;
  let out;
  for (let i = 0; i < repeats; i++) {
    const [ms, r] = await timeMs(fn);
    if (ms < bestMs) bestMs = ms;
    out = r;
  }
  return [bestMs, out];
}

const mb = (b) => `${(b / 2 ** 20).toFixed(0)} MB`;

/** Adult-like synthetic rows (seeded LCG), `shift` added to age. */
async function writeSynthetic(file, rows, seed, shift) {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const pick = (xs) => xs[Math.floor(u() * xs.length)];
  const work = ['Private', 'Self-emp-not-inc', 'Local-gov', 'State-gov', 'Federal-gov', '?'];
  const edu = ['HS-grad', 'Some-college', 'Bachelors', 'Masters', '11th', 'Assoc-voc', 'Doctorate'];
  const mar = ['Married-civ-spouse', 'Never-married', 'Divorced', 'Separated', 'Widowed'];
  const occ = ['Prof-specialty', 'Craft-repair', 'Exec-managerial', 'Adm-clerical', 'Sales', 'Other-service', '?'];
  const race = ['White', 'White', 'White', 'White', 'White', 'White', 'Black', 'Asian-Pac-Islander', 'Amer-Indian-Eskimo', 'Other'];
  const out = createWriteStream(file);
  out.write('age,workclass,fnlwgt,education,education_num,marital_status,occupation,race,sex,capital_gain,hours_per_week,income\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    const age = Math.floor(17 + u() * u() * 73 + shift);
    const gain = u() < 0.92 ? 0 : Math.floor(u() * 20000);
    buf += `${age},${pick(work)},${Math.floor(20000 + u() * 900000)},${pick(edu)},${1 + Math.floor(u() * 16)},${pick(mar)},${pick(occ)},${pick(race)},${u() < 0.67 ? 'Male' : 'Female'},${gain},${Math.floor(10 + u() * 60)},${u() < 0.24 ? '>50K' : '<=50K'}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise((r) => out.on('finish', r));
}

export async function run(log) {
  const { readDataset } = await build('data/read.js');
  const { readCsvDataset } = await build('data/csv.js');
  const { loadPolicy } = await build('policy/load.js');
  const { makeLabels } = await build('data/labels.js');
  const { buildGroupings } = await build('data/groups.js');
  const { runDataStage } = await build('checks/data/stage.js');
  const { parquetWriteBuffer } = await import('hyparquet-writer');

  // ---- readers on Adult test
  const adult = join(ROOT, 'test/fixtures/adult');
  const opts = { displayPath: 'test.csv', missingValues: ['?'], maxRows: 10_000_000 };
  const tmp = mkdtempSync(join(tmpdir(), 'mrg-bench-data-'));
  try {
    const testBytes = readFileSync(join(adult, 'test.csv'));
    writeFileSync(join(tmp, 'test.csv.gz'), gzipSync(testBytes));
    const [csvMs, d] = await best(() => readDataset(join(adult, 'test.csv'), opts), 5);
    const [oldMs] = await best(() => readCsvDataset(join(adult, 'test.csv'), opts), 5);
    const [gzMs] = await best(() => readDataset(join(tmp, 'test.csv.gz'), opts), 5);
    const columnData = d.columns.map((c) =>
      c.kind === 'numeric'
        ? { name: c.name, data: Array.from(c.values), type: 'DOUBLE' }
        : { name: c.name, data: Array.from(c.codes, (k) => c.levels[k]), type: 'STRING' },
    );
    writeFileSync(join(tmp, 'test.parquet'), Buffer.from(parquetWriteBuffer({ columnData, rowGroupSize: 4096 })));
    const [pqMs] = await best(() => readDataset(join(tmp, 'test.parquet'), opts), 5);
    const rate = (ms) => `${((d.rows / ms) * 1000 / 1e6).toFixed(2)} M rows/s`;
    log(`  read Adult test (16,281 rows x 15): streaming CSV ${csvMs.toFixed(0)} ms (${rate(csvMs)}), in-memory CSV reader ${oldMs.toFixed(0)} ms (ratio ${(csvMs / oldMs).toFixed(2)}), gzip ${gzMs.toFixed(0)} ms, Parquet ${pqMs.toFixed(0)} ms (${rate(pqMs)})`);

    // ---- data section on Adult train vs test
    const doc = await loadPolicy(join(ROOT, 'policies/example-adult-data.yml'), { workspace: ROOT });
    const evaluation = { dataset: d, labels: makeLabels(d, doc.policy.dataset), groupings: buildGroupings(d, doc.policy) };
    const [adultMs, stage] = await best(() => runDataStage(doc, evaluation), 3);
    log(`  data section, Adult train (32,561 rows, .csv.gz) vs test (16,281): ${adultMs.toFixed(0)} ms including reading the reference; ${stage.section.drift.columns.length} columns, ${stage.checks.length} checks, ${stage.section.leakage.overlapRows} overlapping rows`);

    // ---- 1M synthetic rows
    const rows = 1_000_000;
    await writeSynthetic(join(tmp, 'ref.csv'), rows, 1, 0);
    await writeSynthetic(join(tmp, 'cur.csv'), rows, 2, 1);
    const policy = `version: 1
model: { path: model.onnx }
dataset: { path: cur.csv, label: income, positive_label: '>50K', missing_values: ['?'], max_rows: 2000000 }
sensitive: [{ column: sex }, { column: race }]
data:
  reference: ref.csv
  drift: { share: { max: 0.3 } }
  integrity: { missing_increase: { max: 0.01 }, duplicate_rows: { max: 0.01 }, unseen_categories: { max: 0.01 }, out_of_range: { max: 0.01 } }
  leakage: { overlap: { max: 0 }, single_column: { max: 0.95 } }
  representation: { share_change: { max: 0.02 } }
checks: { performance: {} }
`;
    writeFileSync(join(tmp, 'policy.yml'), policy);
    writeFileSync(join(tmp, 'model.onnx'), readFileSync(join(adult, 'logreg_pipeline.onnx')));
    const big = await loadPolicy(join(tmp, 'policy.yml'), { workspace: tmp });
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const [readMs, cur] = await timeMs(() => readDataset(join(tmp, 'cur.csv'), { displayPath: 'cur.csv', missingValues: ['?'], maxRows: 2_000_000 }));
    const ev = { dataset: cur, labels: makeLabels(cur, big.policy.dataset), groupings: buildGroupings(cur, big.policy) };
    const [sectionMs, st] = await timeMs(() => runDataStage(big, ev));
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    const drifted = st.section.drift.columns.filter((c) => c.drifted).map((c) => c.column);
    log(`  1,000,000 synthetic rows (12 columns, ${mb(readFileSync(join(tmp, 'cur.csv')).length)} CSV): read ${readMs.toFixed(0)} ms (${((rows / readMs) * 1000 / 1e6).toFixed(2)} M rows/s); data section vs a 1,000,000-row reference ${sectionMs.toFixed(0)} ms (reading the reference included); drifted: ${drifted.join(', ') || 'none'}; peak RSS ${mb(peak)} (${mb(peak - rss0)} above the start)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
