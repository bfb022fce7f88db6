// A minimal CLI over the tsc output, bundled by test/build/dist.test.ts with .ci/build.mjs --entry: scores a fixture
// model on rows of a CSV and prints JSON. Exercises the bundled model code + the shipped dist/node_modules runtime.
//   node scoring-entry.js <model.onnx> <csv> [features.json]
import { readFileSync } from 'node:fs';
import { loadModel } from '../../build/model/session.js';

const [file, csv, featuresFile] = process.argv.slice(2);
const lines = readFileSync(csv, 'utf8').trim().split('\n');
const header = lines[0].split(',');
const rows = lines.slice(1).map((l) => l.split(','));
const col = (name) => rows.map((r) => r[header.indexOf(name)]);
const model = await loadModel({ file, displayPath: file, spec: { path: file, threshold: 0.5, batch_size: 8192 } });
let input;
if (featuresFile) {
  const names = JSON.parse(readFileSync(featuresFile, 'utf8')).feature_names;
  const data = new Float32Array(rows.length * names.length);
  names.forEach((n, j) => col(n).forEach((v, i) => (data[i * names.length + j] = Number(v))));
  input = { kind: 'matrix', rows: rows.length, input: model.info.inputs[0].name, width: names.length, data, featureNames: names, oneHotGroups: {} };
} else {
  const tensors = {};
  for (const i of model.info.inputs) {
    tensors[i.name] = i.type === 'string' ? { type: 'string', data: col(i.name) } : { type: 'float32', data: Float32Array.from(col(i.name), Number) };
  }
  input = { kind: 'columns', rows: rows.length, tensors, sourceColumns: {} };
}
const scores = await model.score(input);
process.stdout.write(
  JSON.stringify({ runtime: model.info.runtime, version: model.info.runtimeVersion, zipMapBypassed: model.info.zipMapBypassed, notes: model.info.notes, scores: Array.from(scores) }) + '\n',
);
