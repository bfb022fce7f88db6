/** Notes about the model, the data and skipped checks (the report's and the model reader's), one item each. */
import { plural } from '../format.js';
import type { Report } from '../types.js';
import { em, text, type Section } from '../doc/model.js';

/** Most notes listed; the rest are counted. */
export const MAX_NOTES = 50;

export function notesSection(report: Report, maxNotes = MAX_NOTES): Section | undefined {
  const notes = report.notes.concat(report.model.info.notes ?? []);
  if (notes.length === 0) return undefined;
  const items = notes.slice(0, maxNotes).map((n) => [text(n, 500)]);
  if (notes.length > maxNotes) items.push([em(`${plural(notes.length - maxNotes, 'more note')} in the JSON report.`)]);
  return { id: 'notes', title: 'Notes', blocks: [{ k: 'list', items }] };
}
