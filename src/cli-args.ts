/**
 * Command-line mistakes in the tool's own words (issue #15): Node's parseArgs errors ("Unknown option '--ouput'. To
 * specify a positional argument starting with a '-', place it at the end of the command after '--', ...") become one
 * line naming the option, the closest documented ones and --help. The known options are read from the usage text, so
 * the suggestions are exactly what --help documents. The CLI exits 2 on these, as on every unusable input.
 */
import { didYouMean } from './policy/suggest.js';
import { UserError } from './util/errors.js';
import { messageLine } from './util/output.js';

/** The long options (`--out`) and short ones (`-h`) a usage text documents, with the value each takes (`<file>`). */
export function documentedOptions(usage: string): Map<string, string> {
  const options = new Map<string, string>();
  for (const m of usage.matchAll(/(?:^|[\s,[])(--?[a-zA-Z][\w-]*)(?:[ =](<[^>]+>))?/g)) {
    const name = m[1]!;
    if (!options.has(name) || (m[2] && !options.get(name))) options.set(name, m[2] ?? '');
  }
  return options;
}

/** The UserError for an error thrown by node:util parseArgs (anything else is returned unchanged). */
export function argsError(error: unknown, usage: string): unknown {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && code !== 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return error;
  }
  const options = documentedOptions(usage);
  const quoted = (s: string): string => `'${messageLine(s, 200)}'`;
  const help = "run 'model-risk-gate --help' for the options";

  const unknown = /^Unknown option '([^']*)'/.exec(message);
  if (unknown) {
    const given = unknown[1]!;
    const name = given.split('=')[0]!;
    const sameKind = [...options.keys()].filter((o) => o.startsWith('--') === name.startsWith('--')); // --ouput: not -o
    const hint = didYouMean(name, sameKind).replace(/`/g, "'");
    return new UserError(`unknown option ${quoted(name)}; ${hint ? `${hint} (${help})` : help}`);
  }
  const named = /^Option '(?:-\w, )?(--?[\w-]+)/.exec(message);
  if (named) {
    const name = named[1]!;
    const value = options.get(name);
    if (/does not take an argument/.test(message)) return new UserError(`option ${quoted(name)} takes no value; write it alone, as ${quoted(name)}`);
    if (/argument missing|ambiguous/.test(message)) {
      const form = `${name} ${value || '<value>'}`;
      return new UserError(`option ${quoted(name)} needs a value: ${quoted(form)} (a value starting with '-' is written ${quoted(`${name}=-...`)})`);
    }
  }
  return new UserError(`${messageLine(message.split('\n')[0] ?? message, 300)}; ${help}`);
}
