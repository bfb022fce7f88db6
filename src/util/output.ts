/**
 * The one writer for everything the CLI and the Action print (issue #10: hostile pull requests).
 *
 * A GitHub runner reads a step's stdout AND stderr line by line and executes every line that starts (after leading
 * whitespace) with `::` (workflow commands: `::warning::`, `::add-mask::`, `::stop-commands::`, `::set-output ...`) or
 * with the legacy `##[`. Policy keys and values, CSV headers and cells, model node names and file names come from the
 * pull request, so no text of theirs may ever start a line there. Two layers:
 *
 * 1. `messageLine(text)`: every message is made one line (line breaks, control, ANSI and bidi characters removed, as
 *    report/escape.ts `sanitizeText` does), `::` and `##[` are broken up (`: :`, `# #[`) wherever they occur, and the
 *    length is capped. Used for every message, error and log line we write (CLI and Action).
 * 2. `createLineGuard()` / `installStdioGuard()`: a filter on the process's stdout and stderr that neutralises any
 *    physical line starting with `::` or `##[` unless it is one of our own workflow commands (written inside
 *    `withWorkflowCommands`, i.e. @actions/core's escaped `::error ...::data`). It catches what layer 1 cannot see:
 *    library output (console.*), a rendered table line that starts with a name, text split over several writes.
 *
 * onnxruntime's native logger writes to file descriptor 2 directly, below this filter; runtime.ts / session.ts set
 * its severity to fatal so it never prints (its error text reaches users only inside our UserError, through here).
 */
import { sanitizeText } from '../report/escape.js';

/** Longest message line we print; longer ones end with '…'. A name of a megabyte must not become a megabyte of log. */
export const MAX_MESSAGE_CHARS = 2000;

/**
 * Text from a file quoted in a message (a pickle global's name, a policy key), printable: control characters, line
 * breaks included, as \uXXXX escapes, so that every message stays one line and shows exactly what the file holds.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Breaks `::` and `##[` wherever they occur, so the text can never be read as a workflow command. */
export function breakWorkflowCommands(text: string): string {
  return text.replace(/:(?=:)/g, ': ').replace(/#(?=#\[)/g, '# ');
}

/**
 * Untrusted (or partly untrusted) text as one printable line: no line breaks, no control/ANSI/bidi characters, no
 * `::` or `##[`, at most `max` characters.
 */
export function messageLine(text: unknown, max = MAX_MESSAGE_CHARS): string {
  let s = breakWorkflowCommands(sanitizeText(text));
  if (s.length > max) s = `${s.slice(0, Math.max(0, max - 1))}…`;
  return s;
}

/** True when a physical line would be executed by a runner as a workflow command. */
export function isWorkflowCommandLine(line: string): boolean {
  const t = line.replace(/^\s+/, '');
  return t.startsWith('::') || t.startsWith('##[');
}

/** The same line made inert: the leading `::` / `##[` broken up (whitespace before it kept). */
export function neutralizeLine(line: string): string {
  const lead = /^\s*/.exec(line)![0];
  const rest = line.slice(lead.length);
  if (rest.startsWith('::')) return `${lead}: :${rest.slice(2)}`;
  if (rest.startsWith('##[')) return `${lead}# #[${rest.slice(3)}`;
  return line;
}

/** Whether a line start (after whitespace) could still become `::` or `##[` with more characters. */
function undecided(head: string): boolean {
  const t = head.replace(/^\s+/, '');
  return t === '' || t === ':' || t === '#' || t === '##';
}

/** A stateful filter over a text stream written in arbitrary chunks. */
export interface LineGuard {
  /** Filtered text to write now (may hold back the start of a line until it is known not to be a command). */
  write(chunk: string, allowCommands?: boolean): string;
  /** Whatever is held back (call at exit). */
  flush(): string;
}

/** Line breaks as a runner's line reader sees them (\n, \r\n, lone \r), plus the Unicode separators. */
const BREAK = /\r\n|[\r\n\u2028\u2029\u0085]/;

export function createLineGuard(): LineGuard {
  let pending = '';
  let decided = false;
  return {
    write(chunk: string, allowCommands = false): string {
      let out = '';
      let rest = chunk;
      for (;;) {
        const m = BREAK.exec(rest);
        const piece = m ? rest.slice(0, m.index) : rest;
        if (decided) out += piece;
        else {
          pending += piece;
          if (m || !undecided(pending)) {
            out += allowCommands ? pending : isWorkflowCommandLine(pending) ? neutralizeLine(pending) : pending;
            pending = '';
            decided = !m;
          }
        }
        if (!m) break;
        out += m[0];
        decided = false;
        rest = rest.slice(m.index + m[0].length);
      }
      return out;
    },
    flush(): string {
      const p = pending;
      pending = '';
      return p;
    },
  };
}

let commandDepth = 0;

/** Runs `fn` (which writes our own, escaped workflow commands via @actions/core) with the stdout guard letting them pass. */
export function withWorkflowCommands<T>(fn: () => T): T {
  commandDepth++;
  try {
    return fn();
  } finally {
    commandDepth--;
  }
}

let installed = false;

/**
 * Filters this process's stdout and stderr through a line guard each (for the entry points: dist/index.js and
 * dist/cli.js; never installed by tests that call the functions in-process). Idempotent.
 */
export function installStdioGuard(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    const guard = createLineGuard();
    const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const decoder = new TextDecoder('utf-8');
    (stream as unknown as { write: (...a: unknown[]) => boolean }).write = (chunk: unknown, ...rest: unknown[]): boolean => {
      const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? decoder.decode(chunk, { stream: true }) : String(chunk);
      const encodingOrCallback = typeof rest[0] === 'string' ? rest.slice(1) : rest;
      return original(guard.write(text, commandDepth > 0), ...encodingOrCallback);
    };
    process.once('exit', () => {
      const held = guard.flush();
      if (held) original(neutralizeLine(held));
    });
  }
}

/** A writer over a stream: `line()` for messages (sanitised, one line each), `text()` for rendered output (guarded). */
export interface OutputWriter {
  /** One message line (untrusted parts included): sanitised with `messageLine`. */
  line(text: unknown): void;
  /** Rendered multi-line output (a table, JSON): `::` broken up everywhere, and every line start guarded. */
  text(text: string): void;
}

export function createWriter(stream: NodeJS.WritableStream): OutputWriter {
  const guard = createLineGuard();
  return {
    line: (text) => void stream.write(guard.write(`${messageLine(text)}\n`)),
    // `::` / `##[` are broken up anywhere in rendered text too (JSON goes through jsonWithoutCommands first, so it
    // has none left and stays byte-identical)
    text: (text) => void stream.write(guard.write(breakWorkflowCommands(text.endsWith('\n') ? text : `${text}\n`))),
  };
}

/**
 * JSON text (JSON.stringify output) whose strings cannot hold `::` or `##[`: the second character becomes a JSON
 * escape (`:\u003a`), so the text parses to exactly the same value. In JSON.stringify output `::` can only occur
 * inside a string (a structural colon is never followed by another).
 */
export function jsonWithoutCommands(json: string): string {
  return json.replace(/::/g, ':\\u003a').replace(/##\[/g, '#\\u0023[');
}
