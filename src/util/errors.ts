/**
 * A mistake in what the user gave us (policy, data, model): shown as one line naming the file (and line/column when
 * known) and what to do, as an annotation in the Action, never as a stack trace. Exit code 2.
 */
export interface SourceLocation {
  /** Path as the user knows it (relative to the workspace when possible). */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
}

export class UserError extends Error {
  readonly location: SourceLocation | undefined;
  /** Further problems found in the same pass (e.g. every policy schema error), each already one line. */
  readonly more: UserError[];
  constructor(message: string, location?: SourceLocation, more: UserError[] = []) {
    super(message);
    this.name = 'UserError';
    this.location = location;
    this.more = more;
  }
  /** "file:line:col: message" */
  oneLine(): string {
    return formatLocated(this.message, this.location);
  }
}

export function formatLocated(message: string, loc?: SourceLocation): string {
  if (!loc) return message;
  let where = loc.file;
  if (loc.line !== undefined) where += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) where += `:${loc.column}`;
  return `${where}: ${message}`;
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
