// Scoring throughput: the gate's ScoringModel.score() (build/model/session.js, tsc output) next to a bare
// onnxruntime-node loop over the same model, data and batch size (8192 rows, the policy default), on the Adult test
// split (16,281 rows). Both fetch only the probability output; the bare loop also builds tensors from subarray views and
// copies the positive column out, i.e. the least work any caller must do. Ratio = gate / bare (1.0 = no overhead).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ADULT = join(ROOT, 'test', 'fixtures', 'adult');
const BATCH = 8192;
const REPEATS = 20;
const ROUNDS = 4;

function featureMatrix() {
  const names = JSON.parse(readFileSync(join(ADULT, 'onehot_features.json'), 'utf8')).feature_names;
  const lines = readFileSync(join(ADULT, 'test_onehot.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const cols = names.map((n) => header.indexOf(n));
  const rows = lines.length - 1;
  const d = names.length;
  const data = new Float32Array(rows * d);
  for (let i = 0; i < rows; i++) {
    const cells = lines[i + 1].split(',');
    for (let j = 0; j < d; j++) data[i * d + j] = Number(cells[cols[j]]);
  }
  return { kind: 'matrix', rows, input: 'features', width: d, data, featureNames: names, oneHotGroups: {} };
}

async function timeMs(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Best-of-REPEATS wall time (ms) of fn(), after one warm-up call. */
async function bestMs(fn) {
  await fn();
  let best = Infinity;
  for (let r = 0; r < REPEATS; r++) best = Math.min(best, await timeMs(fn));
  return best;
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

async function bareLoop(ort, file, input) {
  const session = await ort.InferenceSession.create(readFileSync(file), { graphOptimizationLevel: 'all' });
  const out = new Float32Array(input.rows);
  const fn = async () => {
    for (let start = 0; start < input.rows; start += BATCH) {
      const end = Math.min(input.rows, start + BATCH);
      const x = new ort.Tensor('float32', input.data.subarray(start * input.width, end * input.width), [end - start, input.width]);
      const r = await session.run({ features: x }, ['probabilities']);
      const p = r.probabilities.data;
      for (let i = 0; i < end - start; i++) out[start + i] = p[2 * i + 1];
    }
    return out;
  };
  return { fn, release: () => session.release() };
}

export async function run(log) {
  const { loadModel } = await import(pathToFileURL(join(ROOT, 'build', 'model', 'session.js')).href);
  const ort = await import('onnxruntime-node');
  const input = featureMatrix();
  const results = {};
  for (const name of ['gbt_onehot', 'mlp_torch']) {
    const file = join(ADULT, `${name}.onnx`);
    // One session alive at a time (onnxruntime's idle worker threads spin for a while after a run and would slow the
    // other session down); ROUNDS rounds each, in alternating order, best time kept (robust to a busy machine).
    let gateMs = Infinity;
    let bareMs = Infinity;
    let a;
    let b;
    const gateRound = async () => {
      const model = await loadModel({ file, displayPath: `${name}.onnx`, spec: { path: file, threshold: 0.5, batch_size: BATCH } });
      gateMs = Math.min(gateMs, await bestMs(() => model.score(input)));
      a = await model.score(input);
      await model.dispose();
      await pause(50);
    };
    const bareRound = async () => {
      const bare = await bareLoop(ort.default ?? ort, file, input);
      bareMs = Math.min(bareMs, await bestMs(bare.fn));
      b = Float32Array.from(await bare.fn());
      await bare.release();
      await pause(50);
    };
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        await gateRound();
        await bareRound();
      } else {
        await bareRound();
        await gateRound();
      }
    }
    // the two must agree exactly: same runtime, same batches
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    const gateRate = input.rows / (gateMs / 1000);
    const bareRate = input.rows / (bareMs / 1000);
    results[name] = { rows: input.rows, batch: BATCH, gateMs, bareMs, gateRowsPerSec: gateRate, bareRowsPerSec: bareRate, ratio: gateRate / bareRate, maxDiff };
    log(
      `  ${name.padEnd(11)} score(): ${Math.round(gateRate).toLocaleString('en-US')} rows/s (${gateMs.toFixed(1)} ms)  bare ort: ${Math.round(bareRate).toLocaleString('en-US')} rows/s (${bareMs.toFixed(1)} ms)  ratio ${(gateRate / bareRate).toFixed(3)}  max|diff| ${maxDiff}`,
    );
  }
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await run((line) => console.log(line));
}
