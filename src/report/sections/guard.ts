/** A section whose part of the Report is malformed (a hand-edited or truncated report.json) says so instead of failing. */
import { aside, type Block, type Section } from '../doc/model.js';

export const MALFORMED_TEXT = 'This part of the report is malformed and is not shown; see report.json.';

export function guarded(id: string, title: string, build: () => Block[]): Section {
  try {
    return { id, title, blocks: build() };
  } catch {
    return { id, title, blocks: [aside(MALFORMED_TEXT)] };
  }
}
