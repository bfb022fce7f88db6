/** Turns any thrown value into the one-line messages users see (UserError) or a short internal-error line. */
import { relative, isAbsolute } from 'node:path';
import { isUserError, formatLocated } from './errors.js';

export interface FailureLine {
  /** "file:line:col: message" */
  text: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

export interface Failure {
  /** True when the user's input was at fault (exit 2 with a clear message); false for a bug in the tool. */
  userError: boolean;
  lines: FailureLine[];
  /** Stack trace for debug logs only (never shown as the message). */
  debug?: string;
}

export function describeFailure(error: unknown, workspace: string): Failure {
  if (isUserError(error)) {
    const all = [error, ...error.more];
    return {
      userError: true,
      lines: all.map((e) => {
        const loc = e.location;
        const file = loc ? (isAbsolute(loc.file) ? relative(workspace, loc.file) || loc.file : loc.file) : undefined;
        const located = loc ? { ...loc, file: file ?? loc.file } : undefined;
        return { text: formatLocated(e.message, located), message: e.message, file, line: loc?.line, column: loc?.column };
      }),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0];
  return {
    userError: false,
    lines: [{ text: `internal error: ${first} (this is a bug in model-risk-gate; please report it with the debug log)`, message: `internal error: ${first}` }],
    debug: error instanceof Error ? error.stack : undefined,
  };
}
