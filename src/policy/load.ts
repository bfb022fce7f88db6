/**
 * Loads a policy file (YAML, or JSON — the YAML parser reads both) into a validated Policy whose every value keeps its
 * file:line:column. All problems are reported in one UserError (the first as its message, the rest in `more`), each
 * one line: "file:line:col: what is wrong; what to do".
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { UserError, type SourceLocation } from '../util/errors.js';
import { isUnderGitDir, readConfined } from '../util/safe-fs.js';
import { applyPolicyDefaults } from './defaults.js';
import { buildPositionIndex, lookup, pointerPath, type PositionIndex } from './positions.js';
import { policyValidator } from './schema.js';
import type { PolicyDocument, PolicyPointer } from './types.js';
import { pathEscapesWorkspace, schemaProblems, semanticProblems, type Problem } from './validate.js';

/** Policies are small; anything bigger is a mistake (or hostile). */
export const MAX_POLICY_BYTES = 1024 * 1024;
/** YAML aliases expand; bound them (billion-laughs). */
const MAX_ALIAS_COUNT = 100;
/** Keys, items and values in a policy: the full example has a few hundred. */
export const MAX_POLICY_NODES = 20_000;
/** Nesting of mappings and lists: the schema needs 5. */
export const MAX_POLICY_DEPTH = 32;
/** Longest key or text value: names, paths and labels are short; a megabyte-long name would be in every report. */
export const MAX_POLICY_STRING = 4096;
/** Problems listed in one error (the first is the message, the rest in `more`). */
const MAX_REPORTED_PROBLEMS = 20;

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
  // Confined like every input (issue #10): realpath inside the workspace, regular file, not under .git/, size checked on
  // the open descriptor and while reading (a symlink to /proc/self/pagemap reports size 0).
  if (!existsSync(abs) && lstatSync(abs, { throwIfNoEntry: false }) === undefined) {
    throw new UserError('policy file not found (ENOENT); check the `policy` path', { file: display });
  }
  const bytes = await readConfined(abs, {
    workspace,
    maxBytes: MAX_POLICY_BYTES,
    what: 'policy',
    location: { file: display },
    missingHint: 'check the `policy` path',
  }).catch((e: unknown) => {
    if (e instanceof UserError && /more than the limit/.test(e.message)) {
      throw new UserError(`${e.message}; a policy is a short YAML file`, e.location);
    }
    throw e;
  });
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
  const tooDeep = flowNestingTooDeep(text);
  if (tooDeep !== undefined) {
    throw new UserError(`the policy nests lists or mappings more than ${MAX_POLICY_DEPTH} levels deep; a policy needs a few levels`, { file, ...linePosOf(text, tooDeep) });
  }
  let yamlDoc: Document;
  try {
    // uniqueKeys off: yaml's own duplicate check is quadratic (133k keys took 872 s); structureProblems does it in linear time
    yamlDoc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    throw new UserError(
      e instanceof RangeError ? `the policy is nested too deeply to read; a policy needs a few levels` : 'cannot parse the policy as YAML; fix the YAML',
      { file, line: 1, column: 1 },
    );
  }
  // the text split once (not per error: a policy of 20,000 bad lines took 14 s splitting it 20,000 times)
  let textLines: string[] | undefined;
  const lineText = (line: number): string => (textLines ??= text.split(/\r?\n/))[line - 1] ?? '';
  const yamlErrors: Located[] = yamlDoc.errors.map((err) => {
    const { line, col } = lineCounter.linePos(err.pos[0]);
    const tooDeepToRead = /Maximum call stack/i.test(err.message);
    return {
      location: { file, line, column: col },
      message: tooDeepToRead ? `the policy nests lists or mappings too deeply to read; a policy needs a few levels` : yamlMessage(err.code, err.message, lineText(line)),
    };
  });
  if (yamlErrors.length === 0) {
    const bad = structureProblems(yamlDoc);
    if (bad.fatal) {
      const { line, col } = lineCounter.linePos(bad.fatal.offset);
      throw new UserError(bad.fatal.message, { file, line, column: col });
    }
    for (const d of bad.duplicates) {
      const { line, col } = lineCounter.linePos(d);
      yamlErrors.push({ location: { file, line, column: col }, message: 'YAML syntax error: Map keys must be unique; keep one of them' });
    }
  }
  if (yamlErrors.length > 0) throw toUserError(file, yamlErrors);
  let data: unknown;
  try {
    data = yamlDoc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (e instanceof RangeError) throw new UserError('the policy is nested too deeply to read; a policy needs a few levels', { file, line: 1, column: 1 });
    throw new UserError(`cannot read the policy: ${(e as Error).message.split('\n')[0]}; avoid YAML aliases (&, *)`, { file, line: 1, column: 1 });
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
  if (isUnderGitDir(relative(workspace, abs)) || isUnderGitDir(relative(realRoot, real))) {
    throw new UserError(`${key} (\`${p}\`) is inside .git/, the repository's own metadata; point at a file in the working tree`, where);
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
  const shown = rest.slice(0, MAX_REPORTED_PROBLEMS - 1);
  const more = shown.map((r) => new UserError(r.message, r.location));
  if (rest.length > shown.length) more.push(new UserError(`${rest.length - shown.length} more problem(s) not listed; fix the ones above first`, { file }));
  return new UserError(first.message, first.location, more);
}

function linePosOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Offset where flow collections (`[`, `{`) nest deeper than MAX_POLICY_DEPTH, or undefined. A linear scan that skips
 * quoted scalars and comments, run before the YAML parser, whose recursion a 200,000-deep `[[[...` would overflow.
 */
function flowNestingTooDeep(text: string): number | undefined {
  let depth = 0;
  let quote = '';
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (lineStart && !quote) {
      // compact block sequences ("- - - - x") nest one level per dash on a single line
      const m = /^[ \t]*(?:-[ \t]+)+/.exec(text.slice(i, i + 4 * MAX_POLICY_DEPTH + 200));
      if (m && (m[0].match(/-/g) ?? []).length > MAX_POLICY_DEPTH) return i;
    }
    lineStart = c === '\n';
    if (quote) {
      if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = '';
      } else if (quote === '"' && c === '\\') i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_POLICY_DEPTH) return i;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/**
 * One linear pass over the parsed document: node count and nesting depth bounded, and duplicate keys found with one Set
 * per mapping (yaml's uniqueKeys check compares every pair of keys).
 */
function structureProblems(doc: Document): { fatal?: { offset: number; message: string }; duplicates: number[] } {
  const duplicates: number[] = [];
  let nodes = 0;
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || node === undefined) continue;
    const offset = (node as { range?: [number, number, number] }).range?.[0] ?? 0;
    if (++nodes > MAX_POLICY_NODES) {
      return { fatal: { offset, message: `the policy has more than ${MAX_POLICY_NODES} keys and values; a policy is a short YAML file` }, duplicates };
    }
    if (depth > MAX_POLICY_DEPTH) {
      return { fatal: { offset, message: `the policy nests lists or mappings more than ${MAX_POLICY_DEPTH} levels deep; a policy needs a few levels` }, duplicates };
    }
    if (isScalar(node) && typeof node.value === 'string' && node.value.length > MAX_POLICY_STRING) {
      return { fatal: { offset, message: `a key or value of ${node.value.length} characters, more than the limit of ${MAX_POLICY_STRING}; policy names, paths and labels are short` }, duplicates };
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key;
        const name = isScalar(key) ? `s:${String(key.value)}` : key === null || key === undefined ? 's:null' : `n:${offsetOf(key)}`;
        if (seen.has(name)) duplicates.push(offsetOf(key));
        else seen.add(name);
        if (isScalar(key) && typeof key.value === 'string' && key.value.length > MAX_POLICY_STRING) {
          return { fatal: { offset: offsetOf(key), message: `a key or value of ${key.value.length} characters, more than the limit of ${MAX_POLICY_STRING}; policy names, paths and labels are short` }, duplicates };
        }
        if (key !== null && typeof key === 'object' && !isScalar(key)) stack.push({ node: key, depth: depth + 1 });
        stack.push({ node: pair.value, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    }
  }
  return { duplicates: duplicates.sort((a, b) => a - b) };
}

function offsetOf(node: unknown): number {
  return (node as { range?: [number, number, number] })?.range?.[0] ?? 0;
}

/** yaml's message, plus a hint for the classic mistakes. */
function yamlMessage(code: string, message: string, lineText: string): string {
  let msg = `YAML syntax error: ${message.replace(/\s+/g, ' ').replace(/\.$/, '')}`;
  if (code === 'DUPLICATE_KEY') msg = `${msg}; keep one of them`;
  else if (/:\s*[>|!&*%@`]/.test(lineText)) msg = `${msg}; a value starting with > | ! & * % @ or \` must be quoted, e.g. '>50K'`;
  else if (/\t/.test(lineText)) msg = `${msg}; indent with spaces, not tabs`;
  else msg = `${msg}; fix the YAML on this line`;
  return msg;
}
