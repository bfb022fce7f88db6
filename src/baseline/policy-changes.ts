/**
 * What a pull request changes in the policy itself. The gate's verdict is only as strict as the policy the pull request
 * brings: lowering `accuracy.min` from 0.8 to 0.6, removing a fairness check, or turning `on_insufficient: fail` into
 * `pass` turns a breach into a green check without touching the model. Reviewers see the diff only if they open the
 * policy file; this names every change that loosens (or tightens) the gate next to the verdict.
 *
 * Both versions are parsed by the same loader (so both have the same defaults filled in: a default written out is no
 * change) and compared leaf by leaf. A limit's direction comes from its key: a lower `min`, a higher `max`, a higher
 * regression limit, a weaker severity or outcome (`fail` < `warn` < `pass`), a removed check or sensitive attribute,
 * fewer attributes on a check loosen the gate; the opposite tightens it; anything else (seed, paths, level) is a change.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { parsePolicy } from '../policy/load.js';
import type { PolicyDocument } from '../policy/types.js';
import { isUserError } from '../util/errors.js';
import { blobSize, gitWorkTree, readBlob, resolveCommit } from './git.js';
import { baseShaFromEvent } from './resolve.js';

export type PolicyChangeKind = 'loosened' | 'tightened' | 'removed' | 'added' | 'changed';

export interface PolicyChange {
  /** Dotted path of the value (`checks.performance.accuracy.min`). */
  path: string;
  kind: PolicyChangeKind;
  /** JSON text of the base value (absent when added). */
  before?: string;
  /** JSON text of the pull request's value (absent when removed). */
  after?: string;
  /** Line of the pull request's policy (of the nearest existing parent when removed). */
  line?: number;
}

export interface PolicyComparison {
  /** Where the base policy came from (`base commit a1b2c3d`). */
  base: string;
  /** True when the policy file does not exist at the base commit. */
  newFile: boolean;
  changes: PolicyChange[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObj = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

const OUTCOME_ORDER: Record<string, number> = { fail: 0, warn: 1, pass: 2 };
const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1 };
/** At most this many changes are listed (the rest are counted). */
export const MAX_CHANGES = 200;
/** A value's JSON text is shortened past this length. */
const MAX_VALUE_CHARS = 80;

function text(v: Json | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = JSON.stringify(v);
  return t.length > MAX_VALUE_CHARS ? `${t.slice(0, MAX_VALUE_CHARS - 1)}…` : t;
}

/** Whether a value at `path` (keys) is a limit whose larger value loosens the gate (`max`, a regression limit). */
function largerLoosens(path: string[]): boolean | undefined {
  const key = path[path.length - 1];
  if (key === 'max') return true;
  if (key === 'min') return false;
  // baseline.max_regression.<metric>: 0.02 (the shorthand)
  if (path.length === 3 && path[0] === 'baseline' && path[1] === 'max_regression') return true;
  return undefined;
}

function classifyLeaf(path: string[], before: Json, after: Json): PolicyChangeKind {
  const key = path[path.length - 1] ?? '';
  if (typeof before === 'number' && typeof after === 'number') {
    const larger = largerLoosens(path);
    if (larger !== undefined) return (after > before) === larger ? 'loosened' : 'tightened';
  }
  if (typeof before === 'string' && typeof after === 'string') {
    const order = key === 'severity' ? SEVERITY_ORDER : key === 'on_insufficient' || key === 'on_not_run' ? OUTCOME_ORDER : undefined;
    if (order && before in order && after in order && before !== after) return (order[after] as number) > (order[before] as number) ? 'loosened' : 'tightened';
  }
  // `enabled: false` switches a check or comparison off
  if (key === 'enabled' && typeof before === 'boolean' && typeof after === 'boolean') return after ? 'tightened' : 'loosened';
  if (Array.isArray(before) && Array.isArray(after) && (key === 'attributes' || key === 'intersections')) {
    const b = new Set(before.map((x) => JSON.stringify(x)));
    const a = new Set(after.map((x) => JSON.stringify(x)));
    if ([...a].every((x) => b.has(x))) return 'loosened'; // fewer attributes checked
    if ([...b].every((x) => a.has(x))) return 'tightened';
  }
  return 'changed';
}

/** Defaults of the keys whose order matters, for a value written on one side only. */
const ORDERED_DEFAULTS: Record<string, string> = { severity: 'error', on_insufficient: 'warn', on_not_run: 'fail' };

/** A value present on one side only: a bound added/removed, an outcome against its default, a list of attributes. */
function oneSided(path: string[], before: Json | undefined, after: Json | undefined): PolicyChangeKind | null {
  const key = path[path.length - 1] ?? '';
  const added = before === undefined;
  if (largerLoosens(path) !== undefined) return added ? 'tightened' : 'loosened'; // a bound added / dropped
  if (key in ORDERED_DEFAULTS && typeof (added ? after : before) === 'string') {
    const dflt = ORDERED_DEFAULTS[key] as string;
    if ((added ? after : before) === dflt) return null; // the default written out
    const kind = added ? classifyLeaf(path, dflt, after as Json) : classifyLeaf(path, before as Json, dflt);
    return kind;
  }
  // `attributes: [...]` restricts a check to some attributes (without it: all of them)
  if (key === 'attributes' && path[0] === 'checks') return added ? 'loosened' : 'tightened';
  if (isGateLike(path) || holdsGate(path, (added ? after : before) as Json)) return added ? 'added' : 'removed';
  return 'changed';
}

/** Whether a subtree holds a gate somewhere below (removing the whole `baseline:` removes its regression limits). */
function holdsGate(path: string[], v: Json): boolean {
  if (!isObj(v)) return false;
  return Object.entries(v).some(([k, x]) => isGateLike([...path, k]) || holdsGate([...path, k], x));
}

/** Whether removing (adding) the subtree at `path` loosens (tightens) the gate: a check, a gate, a sensitive attribute. */
function isGateLike(path: string[]): boolean {
  return path[0] === 'checks' || path[0] === 'sensitive' || path[0] === 'intersections' || (path[0] === 'baseline' && path[1] === 'max_regression') || path[0] === 'data';
}

/** Sensitive attributes are a list: compare them by column name, not by position. */
function sensitiveByName(v: Json | undefined): Json | undefined {
  if (!Array.isArray(v)) return v;
  const out: Record<string, Json> = {};
  for (const s of v) {
    const name = isObj(s) ? (typeof s.name === 'string' ? s.name : typeof s.column === 'string' ? s.column : undefined) : undefined;
    if (name === undefined) return v;
    out[name] = s;
  }
  return out;
}

/** The changes from `base` to `head` (both parsed, defaults filled in). Pure. */
export function diffPolicies(base: unknown, head: unknown, lineOf: (path: string[]) => number | undefined = () => undefined): PolicyChange[] {
  const out: PolicyChange[] = [];
  const push = (path: string[], kind: PolicyChangeKind, before: Json | undefined, after: Json | undefined): void => {
    out.push({ path: path.join('.'), kind, ...(before !== undefined ? { before: text(before) } : {}), ...(after !== undefined ? { after: text(after) } : {}), ...lineField(lineOf(path)) });
  };
  const walk = (b: Json | undefined, h: Json | undefined, path: string[]): void => {
    if (path.length === 1 && path[0] === 'sensitive') {
      b = sensitiveByName(b);
      h = sensitiveByName(h);
    }
    if (b === undefined && h === undefined) return;
    if (b === undefined || h === undefined) {
      const kind = oneSided(path, b, h);
      if (kind !== null) push(path, kind, b, h);
      return;
    }
    if (isObj(b) && isObj(h)) {
      const keys = [...new Set([...Object.keys(b), ...Object.keys(h)])].sort();
      for (const k of keys) walk(b[k], h[k], [...path, k]);
      return;
    }
    if (JSON.stringify(b) === JSON.stringify(h)) return;
    push(path, classifyLeaf(path, b, h), b, h);
  };
  walk(base as Json, head as Json, []);
  // the order a reviewer reads: what loosens the gate first
  const rank: Record<PolicyChangeKind, number> = { loosened: 0, removed: 1, changed: 2, tightened: 3, added: 4 };
  return out.sort((x, y) => rank[x.kind] - rank[y.kind] || x.path.localeCompare(y.path));
}

function lineField(line: number | undefined): { line?: number } {
  return line !== undefined && line > 0 ? { line } : {};
}

/** Whether a change makes the gate less strict. */
export function loosens(c: PolicyChange): boolean {
  return c.kind === 'loosened' || c.kind === 'removed';
}

/** One line for the report's notes (names at most `max` changes; the rest are counted). */
export function policyChangesNote(cmp: PolicyComparison, max = 8): string {
  if (cmp.newFile) return `The policy file is new in this pull request (it does not exist at ${cmp.base}): every limit in it is new.`;
  const loose = cmp.changes.filter(loosens);
  const counts = (['loosened', 'removed', 'changed', 'tightened', 'added'] as const)
    .map((k) => [k, cmp.changes.filter((c) => c.kind === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  const shown = cmp.changes.slice(0, max).map((c) => {
    const where = c.line !== undefined ? ` (line ${c.line})` : '';
    if (c.kind === 'removed') return `removed \`${c.path}\`${where}`;
    if (c.kind === 'added') return `added \`${c.path}\` = ${c.after}${where}`;
    return `\`${c.path}\` ${c.before ?? '(unset)'} → ${c.after ?? '(unset)'} (${c.kind})${where}`;
  });
  const more = cmp.changes.length > max ? `; and ${cmp.changes.length - max} more in report.json` : '';
  const lead = loose.length > 0 ? `⚠️ This pull request loosens the policy against ${cmp.base}` : `This pull request changes the policy against ${cmp.base}`;
  return `${lead} (${counts.join(', ')}): ${shown.join('; ')}${more}.`;
}

export interface PolicyBaseRequest {
  workspace: string;
  doc: PolicyDocument;
  /** Absolute path of the pull request's policy file. */
  policyFile: string;
  /** `--baseline <rev | rev:path>`: its revision is the base (a file baseline gives no base policy). */
  explicit?: string;
  eventPath?: string;
  maxBytes: number;
}

/**
 * The pull request's policy against its version at the base commit (pull request base, or the revision of
 * `--baseline`). Null when there is no base to compare with (not a pull request, not a git checkout, the base commit
 * not fetched, the file unreadable there): this comparison informs, it never stops the gate. A base policy that this
 * version of the gate cannot load is reported as such.
 */
export async function comparePolicyWithBase(req: PolicyBaseRequest): Promise<PolicyComparison | { unreadable: string } | null> {
  let rev: string | null = null;
  if (req.explicit !== undefined) {
    const colon = req.explicit.indexOf(':');
    rev = colon > 0 ? req.explicit.slice(0, colon) : req.explicit;
  } else {
    rev = await baseShaFromEvent(req.eventPath);
  }
  if (rev === null || rev === '') return null;
  const tree = await gitWorkTree(req.workspace);
  if (!tree.ok) return null;
  const commit = await resolveCommit(req.workspace, rev);
  if (commit === null) return null;
  const rel = relative(resolve(req.workspace), resolve(req.workspace, req.policyFile));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  const object = `${commit}:./${rel.split(sep).join('/')}`;
  const base = `base commit ${commit.slice(0, 7)}`;
  const size = await blobSize(req.workspace, object);
  if (size === null) return { base, newFile: true, changes: [] };
  if (size > req.maxBytes) return { unreadable: `the policy at ${base} is ${size} bytes, more than the policy limit` };
  let bytes: Buffer;
  try {
    bytes = await readBlob(req.workspace, object, size);
  } catch {
    return null;
  }
  let baseDoc;
  try {
    baseDoc = parsePolicy(bytes, { workspace: req.workspace, displayPath: `${commit.slice(0, 7)}:${rel.split(sep).join('/')}` });
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { unreadable: `the policy at ${base} does not load with this version of the gate (${e.message.split('\n')[0]})` };
  }
  const lineOf = (path: string[]): number | undefined => req.doc.locate(path).line;
  const changes = diffPolicies(baseDoc.policy, req.doc.policy, lineOf);
  return { base, newFile: false, changes: changes.slice(0, MAX_CHANGES) };
}
