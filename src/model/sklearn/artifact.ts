/**
 * Artifact safety: what a model file would do to a Python loader, and what an ONNX file asks of the runtime, as
 * findings. Errors make the file unusable (exit 2, naming what was found); warnings and notes go into the report.
 */
import { int64ToNumber, type GraphProto, type ModelProto } from '../onnx-graph.js';

export interface ArtifactFinding {
  severity: 'error' | 'warning' | 'note';
  /** dangerous-global | disallowed-global | unknown-class | custom-op-domain | external-data | oversized-tensor | compression | malformed | limit | ... */
  kind: string;
  message: string;
  /** 'module.name' of a pickle global. */
  global?: string;
  /** Byte offset in the (decompressed) pickle stream. */
  offset?: number;
}

export interface ArtifactScan {
  /** 'onnx' | 'joblib' | 'pickle' | 'xgboost-json' */
  format: string;
  /** 'none' | 'zlib' | 'gzip' | ... */
  compression: string;
  /** No error finding. */
  safe: boolean;
  findings: ArtifactFinding[];
  /** Globals a pickle names (module.name), sorted. */
  globals?: string[];
  /** What the gate scores: the translated estimator, e.g. 'Pipeline(ColumnTransformer, LogisticRegression)'. */
  translatedFrom?: string;
}

const STANDARD_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'ai.onnx.preview.training']);
/** Largest initializer the gate accepts (bytes of data). */
export const MAX_ONNX_TENSOR_BYTES = 2 * 1024 * 1024 * 1024;

const ELEM_SIZE: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2 };

/** Scan a decoded ONNX model: custom operator domains, external data, oversized or inconsistent tensors. */
export function scanOnnx(proto: ModelProto, fileBytes: number): ArtifactScan {
  const findings: ArtifactFinding[] = [];
  const domains = new Set<string>();
  const graphs: GraphProto[] = [];
  if (proto.graph) graphs.push(proto.graph);
  // sub-graphs (If / Loop / Scan bodies), bounded
  for (let gi = 0; gi < graphs.length && gi < 10_000; gi++) {
    const g = graphs[gi];
    for (const node of g.node ?? []) {
      const d = node.domain ?? '';
      if (!STANDARD_DOMAINS.has(d)) domains.add(d);
      for (const a of node.attribute ?? []) {
        if (a.g) graphs.push(a.g);
        for (const sg of a.graphs ?? []) graphs.push(sg);
      }
    }
    for (const t of [...(g.initializer ?? []), ...(g.sparseInitializer ?? []).flatMap((s) => [s.values, s.indices].filter((x) => !!x))]) {
      if (!t) continue;
      const name = t.name ?? '(unnamed)';
      if (t.dataLocation === 1 || (t.externalData ?? []).length > 0) {
        const loc = (t.externalData ?? []).find((e) => e.key === 'location')?.value ?? '?';
        findings.push({
          severity: 'error',
          kind: 'external-data',
          message: `tensor ${clip(name)} keeps its data in an external file (${clip(loc)}), which the runtime would read from beside the model; save the model with its weights inside (onnx.save_model(m, path, save_as_external_data=False))`,
        });
        continue;
      }
      const dims = (t.dims ?? []).map((d) => int64ToNumber(d as never));
      const count = dims.reduce((a, b) => a * b, 1);
      const size = ELEM_SIZE[t.dataType ?? 0] ?? 0;
      const bytes = count * size;
      if (dims.some((d) => d < 0) || !Number.isFinite(bytes) || bytes > MAX_ONNX_TENSOR_BYTES) {
        findings.push({ severity: 'error', kind: 'oversized-tensor', message: `tensor ${clip(name)} declares shape [${dims.join(', ')}] (${bytes} bytes), above the ${MAX_ONNX_TENSOR_BYTES}-byte limit` });
      } else if (size > 0 && bytes > fileBytes + 1024 && (t.rawData?.length ?? 0) > 0 && t.rawData!.length !== bytes) {
        findings.push({ severity: 'error', kind: 'oversized-tensor', message: `tensor ${clip(name)} declares shape [${dims.join(', ')}] but holds ${t.rawData!.length} bytes` });
      }
    }
  }
  for (const d of [...domains].sort()) {
    findings.push({
      severity: d === 'com.microsoft' ? 'note' : 'warning',
      kind: 'custom-op-domain',
      message: d === 'com.microsoft' ? 'the graph uses onnxruntime contrib operators (domain com.microsoft)' : `the graph uses operators of the custom domain ${clip(d)}, which need a library registered with the runtime; the gate never loads one`,
    });
  }
  for (const f of proto.functions ?? []) {
    const d = (f as { domain?: string }).domain ?? '';
    if (!STANDARD_DOMAINS.has(d)) findings.push({ severity: 'note', kind: 'model-function', message: `the model defines function ${clip((f as { name?: string }).name ?? '?')} in domain ${clip(d)}` });
  }
  return { format: 'onnx', compression: 'none', safe: !findings.some((f) => f.severity === 'error'), findings };
}

function clip(s: string): string {
  const t = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}
