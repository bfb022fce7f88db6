/**
 * Loads a policy file (YAML, or JSON — the YAML parser reads both) into a validated Policy whose every value keeps its
 * file:line:column. All problems are reported in one UserError (the first as its message, the rest in `more`), each
 * one line: "file:line:col: what is wrong; what to do".
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { UserError, type SourceLocation } from '../util/errors.js';
import { applyPolicyDefaults } from './defaults.js';
import { buildPositionIndex, lookup, pointerPath, type PositionIndex } from './positions.js';
import { policyValidator } from './schema.js';
import type { PolicyDocument, PolicyPointer } from './types.js';
import { pathEscapesWorkspace, schemaProblems, semanticProblems, type Problem } from './validate.js';

/** Policies are small; anything bigger is a mistake (or hostile). */
export const MAX_POLICY_BYTES = 1024 * 1024;
/** YAML aliases expand; bound them (billion-laughs). */
const MAX_ALIAS_COUNT = 100;

export interface LoadPolicyOptions {
  /** Repository root: the policy's paths are relative to it and may not leave it. */
  workspace: string;
  /** Path of the policy as users know it (default: relative to the workspace). */
  displayPath?: string;
}

/** A PolicyDocument that also knows the workspace its paths are relative to. */
export interface LoadedPolicyDocument extends PolicyDocument {
  workspace: string;
}

export async function loadPolicy(file: string, opts: LoadPolicyOptions): Promise<LoadedPolicyDocument> {
  const workspace = resolve(opts.workspace);
  const abs = resolve(workspace, file);
  const display = opts.displayPath ?? displayPathOf(abs, workspace, file);
  let size: number;
  try {
    const st = await stat(abs);
    if (!st.isFile()) throw new UserError('the policy path is not a file; pass the policy YAML file', { file: display });
    size = st.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`policy file not found (${(e as { code?: string }).code ?? 'unreadable'}); check the \`policy\` path`, {
      file: display,
    });
  }
  if (size > MAX_POLICY_BYTES) {
    throw new UserError(`the policy is ${size} bytes, more than the limit of ${MAX_POLICY_BYTES}; a policy is a short YAML file`, {
      file: display,
    });
  }
  const bytes = await readFile(abs);
  return parsePolicy(bytes, { workspace, displayPath: display });
}

/** Parses and validates policy bytes (or text) already in memory. */
export function parsePolicy(source: Uint8Array | string, opts: { workspace: string; displayPath: string }): LoadedPolicyDocument {
  const file = opts.displayPath;
  const workspace = resolve(opts.workspace);
  const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
  if (bytes.length > MAX_POLICY_BYTES) {
    throw new UserError(`the policy is ${bytes.length} bytes, more than the limit of ${MAX_POLICY_BYTES}`, { file });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const lineCounter = new LineCounter();
  const yamlDoc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (yamlDoc.errors.length > 0) {
    throw toUserError(
      file,
      yamlDoc.errors.map((err) => {
        const { line, col } = lineCounter.linePos(err.pos[0]);
        return { location: { file, line, column: col }, message: yamlMessage(err.code, err.message, text, line) };
      }),
    );
  }
  let data: unknown;
  try {
    data = yamlDoc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new UserError(`cannot read the policy: ${(e as Error).message}; avoid YAML aliases (&, *)`, { file, line: 1, column: 1 });
  }
  const index = buildPositionIndex(yamlDoc, lineCounter);
  const locate = (pointer: PolicyPointer, preferKey = false): SourceLocation => {
    const pos = lookup(index, pointer, preferKey);
    return pos ? { file, line: pos.line, column: pos.column } : { file, line: 1, column: 1 };
  };

  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UserError(
      data === null || data === undefined
        ? 'the policy is empty; start from policies/example-adult.yml'
        : 'the policy must be a mapping of keys (version, model, dataset, ...), not a single value or a list',
      { file, line: 1, column: 1 },
    );
  }

  const problems: Problem[] = [
    // Semantic checks first: they must see what the user wrote, before ajv fills in defaults.
    ...semanticProblems(data, { workspace }),
    ...schemaProblems(policyValidator(), data),
  ];
  if (problems.length > 0) {
    throw toUserError(
      file,
      problems.map((p) => ({ location: locate(p.pointer, p.atKey), message: p.message })),
    );
  }
  const policy = applyPolicyDefaults(data as Record<string, unknown>);
  return {
    policy,
    file,
    sha256,
    workspace,
    locate: (pointer) => locate(pointer),
  };
}

/** The position index of a policy text, without validating it (for tools that annotate a policy). */
export function policyPositions(text: string): PositionIndex {
  const lineCounter = new LineCounter();
  return buildPositionIndex(parseDocument(text, { lineCounter, prettyErrors: false }), lineCounter);
}

/**
 * Absolute path of a path written in the policy (relative to the workspace). Refuses paths that leave the
 * workspace — also through a symbolic link — since a pull request may change the policy. With `pointer` (where the
 * path is in the policy), problems are reported at that line, and a missing file is reported too.
 */
export function resolvePolicyPath(
  doc: Pick<PolicyDocument, 'file' | 'locate'> & { workspace?: string },
  p: string,
  pointer?: PolicyPointer,
): string {
  const workspace = resolve(doc.workspace ?? process.cwd());
  const where = pointer ? doc.locate(pointer) : { file: doc.file };
  const key = pointer ? `\`${pointerPath(pointer)}\`` : 'the path';
  if (pathEscapesWorkspace(p, workspace)) {
    throw new UserError(`${key} points outside the repository (\`${p}\`); use a path inside the workspace, relative to its root`, where);
  }
  const abs = resolve(workspace, p);
  if (!existsSync(abs)) {
    if (pointer) throw new UserError(`${key}: no such file \`${p}\` in the repository; fix the path (it is relative to the repository root)`, where);
    return abs;
  }
  let real: string;
  let realRoot: string;
  try {
    real = realpathSync(abs);
    realRoot = realpathSync(workspace);
  } catch {
    return abs;
  }
  if (pathEscapesWorkspace(real, realRoot)) {
    throw new UserError(`${key} (\`${p}\`) is a symbolic link to a file outside the repository; point at a file inside it`, where);
  }
  if (pointer && statSync(real).isDirectory()) {
    throw new UserError(`${key} (\`${p}\`) is a directory; point at a file`, where);
  }
  return abs;
}

function displayPathOf(abs: string, workspace: string, given: string): string {
  const rel = relative(workspace, abs);
  if (rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep + sep)) return rel.split(sep).join('/');
  return given;
}

interface Located {
  location: SourceLocation;
  message: string;
}

function toUserError(file: string, items: Located[]): UserError {
  const sorted = items
    .map((it, i) => ({ ...it, i }))
    .sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0) || (a.location.column ?? 0) - (b.location.column ?? 0) || a.i - b.i);
  const [first, ...rest] = sorted;
  if (!first) return new UserError('invalid policy', { file });
  const more = rest.map((r) => new UserError(r.message, r.location));
  return new UserError(first.message, first.location, more);
}

/** yaml's message, plus a hint for the classic mistakes. */
function yamlMessage(code: string, message: string, text: string, line: number): string {
  const lineText = text.split(/\r?\n/)[line - 1] ?? '';
  let msg = `YAML syntax error: ${message.replace(/\s+/g, ' ').replace(/\.$/, '')}`;
  if (code === 'DUPLICATE_KEY') msg = `${msg}; keep one of them`;
  else if (/:\s*[>|!&*%@`]/.test(lineText)) msg = `${msg}; a value starting with > | ! & * % @ or \` must be quoted, e.g. '>50K'`;
  else if (/\t/.test(lineText)) msg = `${msg}; indent with spaces, not tabs`;
  else msg = `${msg}; fix the YAML on this line`;
  return msg;
}
