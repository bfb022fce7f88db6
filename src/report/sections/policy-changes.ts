/**
 * The pull request's own changes to the policy that loosen the gate (src/baseline/policy-changes.ts), as a warning
 * right under the verdict: a lowered limit turns a breach green without touching the model, and a reviewer who reads
 * only the comment would not see it. Changes that tighten or only change something are in the notes and report.json.
 * The report may come from an untrusted run's artifact: every field is checked before use and every value is shown as
 * code (escaped by the serializer), never as markup.
 */
import { list } from '../section-views.js';
import type { Report } from '../types.js';
import { code, strong, type Block, type Inline } from '../doc/model.js';

/** Loosening changes named in the warning; the rest are counted. */
export const MAX_NAMED = 5;

interface Change {
  path: string;
  kind: string;
  before?: string;
  after?: string;
  line?: number;
}

function changeOf(v: unknown): Change | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const c = v as Record<string, unknown>;
  if (typeof c.path !== 'string' || typeof c.kind !== 'string') return undefined;
  return {
    path: c.path.slice(0, 200),
    kind: c.kind,
    ...(typeof c.before === 'string' ? { before: c.before.slice(0, 100) } : {}),
    ...(typeof c.after === 'string' ? { after: c.after.slice(0, 100) } : {}),
    ...(typeof c.line === 'number' && Number.isInteger(c.line) && c.line > 0 ? { line: c.line } : {}),
  };
}

/** The warning block, or none when the pull request loosens nothing (or the report has no comparison). */
export function policyChangesBlocks(report: Report): Block[] {
  const pc = report.policyChanges as unknown;
  if (typeof pc !== 'object' || pc === null) return [];
  const { base, changes, newFile } = pc as { base?: unknown; changes?: unknown; newFile?: unknown };
  const against = typeof base === 'string' ? base.slice(0, 60) : 'its base';
  // a policy file that did not exist at the base (moved, or new with a workflow that now points at it): all of it is new
  if (newFile === true) return [{ k: 'alert', level: 'warning', c: [strong('The policy file is new in this pull request'), ` (it does not exist at ${against}): every limit in it is new; review it before trusting the verdict.`] }];
  const loose = list<unknown>(changes, 1000)
    .map(changeOf)
    .filter((c): c is Change => c !== undefined && (c.kind === 'loosened' || c.kind === 'removed'));
  if (loose.length === 0) return [];
  const c: Inline[] = [strong('This pull request loosens the policy'), ` against ${against}: `];
  loose.slice(0, MAX_NAMED).forEach((x, i) => {
    if (i > 0) c.push('; ');
    if (x.kind === 'removed') c.push('removed ', code(x.path));
    else c.push(code(x.path), ' ', code(x.before ?? '(unset)'), ' → ', code(x.after ?? '(unset)'));
    if (x.line !== undefined) c.push(` (line ${x.line})`);
  });
  if (loose.length > MAX_NAMED) c.push(`; and ${loose.length - MAX_NAMED} more (see the notes)`);
  c.push('. The checks below use the loosened policy.');
  return [{ k: 'alert', level: 'warning', c }];
}
