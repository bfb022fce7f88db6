/**
 * Model files that are not ONNX: scikit-learn pickles (.joblib / .pkl, raw, zlib or gzip) and XGBoost JSON. The
 * format is chosen from the content (pickle PROTO opcode, zlib / gzip / lzma magic, a JSON object with `learner`), not
 * the extension. The file is scanned (globals against the allowlist) before anything is built, then translated to an
 * in-memory ONNX graph. Nothing from the file is ever executed.
 */
import { PickleRefusal } from '../pickle/findings.js';
import { readJoblib, sniffContainer, type Container } from '../pickle/joblib.js';
import type { PickleLimits } from '../pickle/reader.js';
import { PyObject, type PyValue } from '../pickle/values.js';
import { translateXgboost, looksLikeXgboost } from '../xgboost/translate.js';
import { looksLikeLightgbm, translateLightgbm } from '../xgboost/lightgbm.js';
import type { ArtifactFinding, ArtifactScan } from './artifact.js';
import { EXPORT_RECIPE, TranslationError } from './state.js';
import { translateSklearn, type Translation } from './translate.js';

export type ModelFormat = 'onnx' | 'pickle' | 'json' | 'lightgbm';

/** The format of a model file from its first bytes. */
export function detectFormat(bytes: Uint8Array): ModelFormat {
  const c = sniffContainer(bytes);
  if (c !== 'unknown') return 'pickle';
  if (looksLikeLightgbm(bytes)) return 'lightgbm';
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && i < 64 && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b /* { */) return 'json';
  return 'onnx';
}

export interface ForeignModel {
  format: 'joblib' | 'pickle' | 'xgboost-json' | 'lightgbm-text';
  container: Container;
  translation: Translation;
  scan: ArtifactScan;
}

/** A refusal of a model file, with the findings that caused it (UserError is made by the caller, with the location). */
export class ArtifactRefusal extends Error {
  constructor(
    message: string,
    readonly scan: ArtifactScan,
    /** 'unsafe' (a finding of severity error), 'unsupported' (a safe file the gate cannot translate), 'malformed'. */
    readonly reason: 'unsafe' | 'unsupported' | 'malformed',
  ) {
    super(message);
    this.name = 'ArtifactRefusal';
  }
}

function describeTree(t: Translation['tree']): string {
  if (t.children.length === 0) return t.cls;
  return `${t.cls}(${t.children.map(describeTree).join(', ')})`;
}

/** Read, scan and translate a non-ONNX model file. Throws ArtifactRefusal. */
export function openForeignModel(bytes: Uint8Array, opts: { limits?: Partial<PickleLimits>; fileName?: string } = {}): ForeignModel {
  const format = detectFormat(bytes);
  if (format === 'json') return openXgboost(bytes);
  if (format === 'lightgbm') return openLightgbm(bytes);
  if (format !== 'pickle') throw new Error('not a pickle or JSON model');
  const container = sniffContainer(bytes);
  const compression = container === 'pickle' ? 'none' : container;
  let read;
  try {
    read = readJoblib(bytes, opts.limits);
  } catch (e) {
    if (e instanceof PickleRefusal) {
      const f = e.finding;
      const findings: ArtifactFinding[] = e.findings.map((x) => ({ ...x }));
      const unsafe = f.kind === 'dangerous-global' || f.kind === 'disallowed-global' || f.kind === 'disallowed-call' || f.kind === 'persistent-id' || f.kind === 'extension-registry' || f.kind === 'out-of-band';
      const scan: ArtifactScan = { format: 'pickle', compression, safe: false, findings };
      const reason = unsafe ? 'unsafe' : f.kind === 'compression' ? 'unsupported' : 'malformed';
      const lead = unsafe ? 'unsafe model file: ' : reason === 'unsupported' ? '' : 'cannot read the model file: ';
      throw new ArtifactRefusal(`${lead}${f.message}`, scan, reason);
    }
    throw e;
  }
  const globals = [...read.globals.keys()].sort();
  const fileFormat: ForeignModel['format'] = read.arrays > 0 || compression !== 'none' || globals.some((g) => g.includes('numpy_pickle')) ? 'joblib' : 'pickle';
  const findings: ArtifactFinding[] = read.findings.map((x) => ({ ...x }));
  findings.unshift({ severity: 'note', kind: 'pickle-read', message: `read as data by the gate's pickle reader (${globals.length} allowlisted globals, ${read.arrays} joblib array records); nothing was executed` });
  const scan: ArtifactScan = { format: fileFormat, compression, safe: true, findings, globals };
  let translation: Translation;
  try {
    translation = translateSklearn(read.value as PyValue);
  } catch (e) {
    if (e instanceof TranslationError) {
      const est = read.value instanceof PyObject ? read.value.shortName : 'the object';
      throw new ArtifactRefusal(e.unsupported ? e.message : `${est}: ${e.message}`, scan, 'unsupported');
    }
    // numpy data read lazily by the translation (a record array without the field a tree needs, a short buffer): the
    // file is malformed, refused like a malformed pickle stream
    if (e instanceof PickleRefusal) {
      throw new ArtifactRefusal(`cannot read the model file: ${e.message}; save the model again with joblib.dump or export it to ONNX`, { ...scan, safe: false, findings: [...findings, { ...e.finding }] }, 'malformed');
    }
    throw e;
  }
  scan.translatedFrom = describeTree(translation.tree);
  return { format: fileFormat, container, translation, scan };
}

function openLightgbm(bytes: Uint8Array): ForeignModel {
  const scan: ArtifactScan = { format: 'lightgbm-text', compression: 'none', safe: true, findings: [] };
  try {
    const translation = translateLightgbm(bytes);
    scan.translatedFrom = translation.tree.cls;
    scan.findings.push({ severity: 'note', kind: 'text-read', message: 'LightGBM model text read as data; nothing was executed' });
    return { format: 'lightgbm-text', container: 'unknown', translation, scan };
  } catch (e) {
    if (e instanceof TranslationError) throw new ArtifactRefusal(e.message, scan, 'unsupported');
    throw e;
  }
}

function openXgboost(bytes: Uint8Array): ForeignModel {
  const scan: ArtifactScan = { format: 'xgboost-json', compression: 'none', safe: true, findings: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8').decode(bytes));
  } catch (e) {
    throw new ArtifactRefusal(`the model file is JSON but does not parse (${(e as Error).message.split('\n')[0]})`, { ...scan, format: 'json' }, 'malformed');
  }
  if (!looksLikeXgboost(doc)) {
    throw new ArtifactRefusal(`the model file is JSON but not an XGBoost model (no "learner" object); the gate reads ONNX, scikit-learn .joblib/.pkl and XGBoost JSON; ${EXPORT_RECIPE}`, { ...scan, format: 'json' }, 'unsupported');
  }
  try {
    const translation = translateXgboost(doc);
    scan.translatedFrom = translation.tree.cls;
    scan.findings.push({ severity: 'note', kind: 'json-read', message: 'XGBoost JSON read as data; nothing was executed' });
    return { format: 'xgboost-json', container: 'unknown', translation, scan };
  } catch (e) {
    if (e instanceof TranslationError) throw new ArtifactRefusal(e.message, scan, 'unsupported');
    throw e;
  }
}
