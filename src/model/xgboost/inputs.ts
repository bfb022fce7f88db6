/**
 * Inputs of a gradient-boosting model whose file names its features: a `column=value` indicator becomes part of one
 * text input per column (one-hot computed in the graph, an unknown value gives all zeros); a feature with a category
 * list (LightGBM's pandas_categorical) becomes a text input mapped to its category code (unknown -> -1); any other
 * named feature is a numeric input. Without names: one double matrix `X [N, d]`.
 */
import { GraphBuilder, T_DOUBLE, T_STRING } from '../sklearn/onnx-builder.js';
import type { Translation } from '../sklearn/translate.js';

export interface NamedInputs {
  /** [N, d] double tensor of the model's features, in model order. */
  x: string;
  inputs: Translation['inputs'];
  features: string[];
  featureRaw: string[];
}

export function namedInputs(g: GraphBuilder, names: string[] | null, d: number, categoryLevels: Map<number, string[]> = new Map()): NamedInputs {
  if (!names) {
    g.input('X', T_DOUBLE, ['N', d]);
    const f = Array.from({ length: d }, (_, i) => `f${i}`);
    return { x: 'X', inputs: [{ name: 'X', type: 'double' }], features: f, featureRaw: f };
  }
  const inputs: Translation['inputs'] = [];
  const block = new Map<number, { tensor: string; offset: number }>();
  const featureRaw = new Array<string>(d);
  const groups = new Map<string, { values: string[]; positions: number[] }>();
  const order: Array<{ kind: 'num'; pos: number } | { kind: 'code'; pos: number } | { kind: 'cat'; column: string }> = [];
  names.forEach((nm, i) => {
    const eq = nm.indexOf('=');
    if (categoryLevels.has(i)) order.push({ kind: 'code', pos: i });
    else if (eq > 0) {
      const col = nm.slice(0, eq);
      let s = groups.get(col);
      if (!s) {
        s = { values: [], positions: [] };
        groups.set(col, s);
        order.push({ kind: 'cat', column: col });
      }
      s.values.push(nm.slice(eq + 1));
      s.positions.push(i);
    } else order.push({ kind: 'num', pos: i });
  });
  for (const o of order) {
    if (o.kind === 'num') {
      const name = names[o.pos];
      g.input(name, T_DOUBLE, ['N', 1]);
      inputs.push({ name, type: 'double' });
      block.set(o.pos, { tensor: name, offset: 0 });
      featureRaw[o.pos] = name;
    } else if (o.kind === 'code') {
      const name = names[o.pos];
      const levels = categoryLevels.get(o.pos) as string[];
      g.input(name, T_STRING, ['N', 1]);
      inputs.push({ name, type: 'string' });
      const idx = g.op('LabelEncoder', [name], { keys_strings: { strings: levels }, values_int64s: { ints: levels.map((_, k) => k) }, default_int64: { i: -1 } }, 'ai.onnx.ml');
      block.set(o.pos, { tensor: g.op('Cast', [idx], { to: { i: T_DOUBLE } }), offset: 0 });
      featureRaw[o.pos] = name;
    } else {
      const s = groups.get(o.column) as { values: string[]; positions: number[] };
      g.input(o.column, T_STRING, ['N', 1]);
      inputs.push({ name: o.column, type: 'string' });
      const idx = g.op('LabelEncoder', [o.column], { keys_strings: { strings: s.values }, values_int64s: { ints: s.values.map((_, k) => k) }, default_int64: { i: -1 } }, 'ai.onnx.ml');
      const oh = g.op('Cast', [g.op('Equal', [idx, g.constInt64(s.values.map((_, k) => k), [1, s.values.length])])], { to: { i: T_DOUBLE } });
      s.positions.forEach((p, k) => {
        block.set(p, { tensor: oh, offset: k });
        featureRaw[p] = o.column;
      });
    }
  }
  const parts: string[] = [];
  let i = 0;
  while (i < d) {
    const b = block.get(i) as { tensor: string; offset: number };
    let j = i + 1;
    while (j < d && block.get(j)?.tensor === b.tensor && (block.get(j) as { offset: number }).offset === b.offset + (j - i)) j++;
    const width = j - i;
    const whole = b.offset === 0 && ![...block.entries()].some(([p, v]) => v.tensor === b.tensor && (p < i || p >= j));
    parts.push(whole ? b.tensor : g.op('Slice', [b.tensor, g.constInt64([b.offset], [1]), g.constInt64([b.offset + width], [1]), g.constInt64([1], [1])]));
    i = j;
  }
  const x = parts.length === 1 ? parts[0] : g.op('Concat', parts, { axis: { i: 1 } });
  return { x, inputs, features: names.slice(), featureRaw };
}
