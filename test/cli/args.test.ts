/**
 * Command-line mistakes in the tool's own words (issue #15): one line naming the option, the closest documented
 * options, and --help; exit status 2; never Node's parseArgs text.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { argsError, documentedOptions } from '../../src/cli-args.js';
import { cli } from '../../src/cli.js';
import { UserError } from '../../src/util/errors.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += String(chunk);
    cb();
  }
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new Capture();
  const err = new Capture();
  const code = await cli(argv, out, err);
  return { code, stdout: out.text, stderr: err.text };
}

describe('CLI argument errors', () => {
  it.each([
    [['check', '--ouput', 'report/'], "model-risk-gate: unknown option '--ouput'; did you mean '--out'? (run 'model-risk-gate --help' for the options)"],
    [['check', '--polcy', 'p.yml'], "model-risk-gate: unknown option '--polcy'; did you mean '--policy'? (run 'model-risk-gate --help' for the options)"],
    [['check', '--no-colour'], "model-risk-gate: unknown option '--no-colour'; did you mean '--no-color'? (run 'model-risk-gate --help' for the options)"],
    [['check', '--time-budjet=5'], "model-risk-gate: unknown option '--time-budjet'; did you mean '--time-budget'? (run 'model-risk-gate --help' for the options)"],
    [['check', '--frobnicate'], "model-risk-gate: unknown option '--frobnicate'; run 'model-risk-gate --help' for the options"],
    [['check', '--policy'], "model-risk-gate: option '--policy' needs a value: '--policy <policy.yml>' (a value starting with '-' is written '--policy=-...')"],
    [['check', '--policy', '--json'], "model-risk-gate: option '--policy' needs a value: '--policy <policy.yml>' (a value starting with '-' is written '--policy=-...')"],
    [['check', '--json=yes'], "model-risk-gate: option '--json' takes no value; write it alone, as '--json'"],
  ])('%j', async (argv, line) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.stderr).not.toMatch(/positional argument|ERR_PARSE_ARGS/);
  });

  it('an option name from the command line cannot forge a workflow command', async () => {
    const r = await run('check', '--::error::x');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^model-risk-gate: unknown option '--: :error: :x'/);
  });

  it('reads the options (and the value each takes) from the usage text', () => {
    const usage = 'Usage:\n  tool check --policy <file> [--out <dir>]\n  -h, --help  this text\n  --json  json\n  --data file.csv';
    expect([...documentedOptions(usage)]).toEqual([['--policy', '<file>'], ['--out', '<dir>'], ['-h', ''], ['--help', ''], ['--json', ''], ['--data', '']]);
    const other = new TypeError('not from parseArgs');
    expect(argsError(other, usage)).toBe(other);
    expect(argsError(Object.assign(new TypeError('Unknown option \'--jsn\'. To specify ...'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }), usage)).toBeInstanceOf(UserError);
  });
});
