/**
 * Reading a report.json that an untrusted run produced (the `comment-from` input: the pull request's artifact, read by
 * a privileged `workflow_run` job). Issue #10: the file is confined like every input (realpath inside the workspace,
 * regular file, bounded read), its size and nesting depth are bounded before JSON.parse, and it must validate against
 * policies/report.schema.json (ajv) before any renderer sees it. Every failure is one UserError naming the file; no
 * message quotes the file's text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Report } from '../report/types.js';
import { UserError, type SourceLocation } from './errors.js';
import { messageLine } from './output.js';
import { readConfinedSync } from './safe-fs.js';

/** Largest report.json accepted (real reports are well under a few megabytes). */
export const MAX_SAVED_REPORT_BYTES = 32 * 1024 * 1024;
/** Deepest nesting of arrays/objects accepted (real reports: under 10). */
export const MAX_SAVED_REPORT_DEPTH = 64;

let validator: ValidateFunction | undefined;

/** policies/report.schema.json, found by walking up from this module (dist/ and src/ both sit below the package root). */
export function reportSchemaPath(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'policies', 'report.schema.json');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function reportValidator(): ValidateFunction {
  if (validator) return validator;
  const path = reportSchemaPath();
  if (!path) throw new Error('policies/report.schema.json is missing from the model-risk-gate installation');
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
  validator = ajv.compile(schema);
  return validator;
}

/**
 * Offset where arrays/objects nest deeper than `max`, or -1. Linear, string-aware; run before JSON.parse so that a
 * 200,000-deep array cannot overflow a recursive consumer (ajv, the renderers, JSON.stringify) later.
 */
export function jsonNestingBeyond(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return i;
    } else if (c === 93 || c === 125) depth--;
  }
  return -1;
}

/** Parses and validates report JSON text already in memory. */
export function parseSavedReport(text: string, where: SourceLocation): Report {
  const deep = jsonNestingBeyond(text, MAX_SAVED_REPORT_DEPTH);
  if (deep >= 0) {
    throw new UserError(`not a model-risk-gate report: arrays/objects nested more than ${MAX_SAVED_REPORT_DEPTH} levels deep (at character ${deep + 1})`, where);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    throw new UserError(`not a model-risk-gate report: the file is not valid JSON${at ? ` (at character ${Number(at[1]) + 1})` : ''}`, where);
  }
  const validate = reportValidator();
  if (!validate(data)) {
    const err = validate.errors?.[0];
    const path = err ? messageLine(err.instancePath || '(top level)', 200) : '';
    throw new UserError(
      `not a model-risk-gate report: it does not match policies/report.schema.json (${path} ${messageLine(err?.message ?? 'invalid', 200)}); the artifact must be the report.json the gate wrote`,
      where,
    );
  }
  return data as Report;
}

/** Reads, bounds and validates a saved report.json (see the module comment). */
export function readSavedReport(path: string, opts: { workspace: string; display?: string }): Report {
  const where: SourceLocation = { file: opts.display ?? path };
  const bytes = readConfinedSync(path, {
    workspace: opts.workspace,
    maxBytes: MAX_SAVED_REPORT_BYTES,
    what: 'report',
    location: where,
    missingHint: 'point `comment-from` at the report.json downloaded from the pull request run\'s artifact',
  });
  return parseSavedReport(bytes.toString('utf8'), where);
}
