/**
 * One entry for every model file: the format from the content (ONNX, scikit-learn pickle / joblib, XGBoost JSON),
 * the artifact scan (an error finding refuses the file: UserError, exit 2, naming what was found), and the ONNX graph
 * the gate scores (the file itself, or the in-memory translation).
 */
import { createHash } from 'node:crypto';
import { UserError, type SourceLocation } from '../../util/errors.js';
import { parseModel, type ModelFile } from '../signature.js';
import { scanOnnx, type ArtifactFinding, type ArtifactScan } from './artifact.js';
import { ArtifactRefusal, detectFormat, openForeignModel, type ForeignModel } from './load.js';

export interface OpenedModel {
  /** The ONNX bytes the gate runs (the file, or its translation). */
  onnx: Uint8Array;
  /** Decoded ONNX; sha256 / bytes are the FILE's (what the report fingerprints). */
  parsed: ModelFile;
  foreign: ForeignModel | null;
  scan: ArtifactScan;
}

/** Findings a refusal message lists (errors first), one line each. */
export function findingsText(findings: ArtifactFinding[]): string {
  return findings
    .filter((f) => f.severity === 'error')
    .map((f) => f.message)
    .join('; ');
}

/** Thrown for a refused model file: a UserError that carries the scan (for the error summary / SARIF). */
export class ModelArtifactError extends UserError {
  constructor(
    message: string,
    where: SourceLocation,
    readonly scan: ArtifactScan,
    readonly reason: 'unsafe' | 'unsupported' | 'malformed',
  ) {
    super(message, where);
  }
}

export function openModel(bytes: Uint8Array, where: SourceLocation): OpenedModel {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const format = detectFormat(bytes);
  if (format === 'onnx') {
    const parsed = parseModel(bytes, where);
    const scan = scanOnnx(parsed.proto, bytes.length);
    if (!scan.safe) throw new ModelArtifactError(`unsafe ONNX model file: ${findingsText(scan.findings)}`, where, scan, 'unsafe');
    return { onnx: bytes, parsed, foreign: null, scan };
  }
  let foreign: ForeignModel;
  try {
    foreign = openForeignModel(bytes);
  } catch (e) {
    if (e instanceof ArtifactRefusal) throw new ModelArtifactError(e.message, where, e.scan, e.reason);
    throw e;
  }
  const parsed = parseModel(foreign.translation.onnx, where);
  return { onnx: foreign.translation.onnx, parsed: { ...parsed, bytes, sha256 }, foreign, scan: foreign.scan };
}
