/**
 * Terminal entry: the same gate as the Action, with a readable table and an exit status.
 *   model-risk-gate check --policy .github/model-policy.yml [--workspace .] [--out dir] [--json] [--no-color]
 *   model-risk-gate inspect model.onnx
 * Exit 0 = pass, 1 = the model breached the policy, 2 = the policy, data or model could not be used.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { runGate } from './gate.js';
import { hardDeadlineOf, startWatchdog } from './util/watchdog.js';
import { encodeShard, runMerge, runShard } from './shard.js';
import { writeOutputFile } from './util/safe-fs.js';
import { runInit } from './init/index.js';
import { terminalProgress } from './progress.js';
import { argsError } from './cli-args.js';
import { writeExtraFiles, writeReportFiles } from './files.js';
import { renderCharts } from './report/charts/index.js';
import { renderHtml } from './report/html.js';
import { checkCsv, convertModel, inspectAnyModel, renderInspect } from './model/sklearn/inspect.js';
import { renderSarif } from './report/sarif.js';
import { renderText } from './report/text.js';
import { describeFailure } from './util/failure.js';
import { UserError } from './util/errors.js';
import { createWriter, installStdioGuard, jsonWithoutCommands, messageLine } from './util/output.js';
import { TOOL_VERSION } from './version.js';

const USAGE = `model-risk-gate ${TOOL_VERSION}: gate an ONNX model on performance, fairness, robustness and explainability.

Usage:
  model-risk-gate check --policy <policy.yml> [options]
  model-risk-gate init --model <model> --data <dataset> [--reference <training data>] [-o <policy.yml>]
  model-risk-gate inspect <model> [--data file.csv] [--json]
  model-risk-gate convert <model.joblib|model.pkl|xgboost.json> -o <model.onnx>
  model-risk-gate shard --policy <policy.yml> --index <i> --of <n> -o <shard-i.bin>
  model-risk-gate merge --policy <policy.yml> [check options] <shard-0.bin> <shard-1.bin> ...

Shards (large evaluation sets, a GitHub Actions matrix): each 'shard' job scores rows [i·N/n, (i+1)·N/n) and writes
their scores; 'merge' checks the shards and runs the gate on all of them, with the same output as 'check'.

Models: ONNX, scikit-learn .joblib / .pkl (read as data, never unpickled) and XGBoost JSON (see README "Models").

Options for check:
  --policy <file>      policy file (YAML or JSON); default .github/model-policy.yml
  --workspace <dir>    directory the policy's paths are relative to; default the current directory
  --out <dir>          also write report.json, report.html, charts/*.svg and model-risk-gate.sarif here
  --json               print the report as JSON instead of the table
  --baseline <ref>     compare with another version of the model: a file, a git revision (main, HEAD~1) or rev:path
  --time-budget <min>  stop long-running checks after this many minutes (default 20)
  --no-color           plain text output (also when NO_COLOR is set or output is not a terminal)
  -h, --help           this text
  -v, --version        the version

Exit status: 0 pass, 1 the model breaches the policy, 2 the policy, data or model cannot be used.`;

export async function cli(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  // every line goes through the output writer: nothing from the pull request can start a workflow command (issue #10)
  const stdout = createWriter(out);
  const stderr = createWriter(err);
  const write = (s: string): void => stdout.text(s);
  const workspaceDefault = process.cwd();
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          policy: { type: 'string' },
          workspace: { type: 'string' },
          out: { type: 'string' },
          json: { type: 'boolean' },
          'time-budget': { type: 'string' },
          baseline: { type: 'string' },
          'no-color': { type: 'boolean' },
          model: { type: 'string' },
          reference: { type: 'string' },
          data: { type: 'string' },
          output: { type: 'string', short: 'o' },
          index: { type: 'string' },
          of: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
          version: { type: 'boolean', short: 'v' },
        },
      });
    } catch (e) {
      throw argsError(e, USAGE); // the tool's own words, with did-you-mean from the options --help documents
    }
    const { values, positionals } = parsed;
    if (values.version) { write(TOOL_VERSION); return 0; }
    const command = positionals[0];
    if (values.help || command === undefined || command === 'help') { write(USAGE); return command === undefined && !values.help ? 2 : 0; }

    const minutes = values['time-budget'] !== undefined ? Number(values['time-budget']) : 20;
    if (!Number.isFinite(minutes) || minutes <= 0) throw new UserError(`--time-budget must be a positive number of minutes, got '${values['time-budget']}'`);
    // the commands that load a model or a dataset outside runGate get the same hard stop on time and memory (a hostile
    // model can loop or allocate gigabytes inside one blocking onnxruntime call; issue #10)
    const guarded = async <T>(fn: () => Promise<T>): Promise<T> => {
      const budgetMs = minutes * 60_000;
      const dog = startWatchdog({ hardDeadline: hardDeadlineOf(Date.now(), budgetMs), budgetMs });
      dog.stage(command);
      try {
        return await fn();
      } finally {
        dog.stop();
      }
    };

    if (command === 'init') {
      // issue #13: a starter policy from a model and a dataset (never overwrites a file)
      if (!values.model || !values.data) throw new UserError("init needs a model and a dataset: 'model-risk-gate init --model model.onnx --data eval.csv [--reference train.csv] [-o policy.yml]'");
      const r = await guarded(() => runInit({ model: values.model!, data: values.data!, ...(values.reference ? { reference: values.reference } : {}), ...(values.output ? { output: values.output } : {}), workspace: resolve(values.workspace ?? workspaceDefault), cwd: process.cwd() }));
      const shown = relative(process.cwd(), r.file) || r.file;
      write(`Wrote ${shown}: label ${r.label} = ${r.positiveLabel}${r.sensitive.length ? `, sensitive ${r.sensitive.join(', ')}` : ''}. Review it, then run: model-risk-gate check --policy ${shown}`);
      return 0;
    }
    if (command === 'inspect') {
      const file = positionals[1];
      if (!file) throw new UserError("inspect needs a model file: 'model-risk-gate inspect model.onnx'");
      const info = await guarded(async () => {
        const i = await inspectAnyModel(resolve(file), { displayPath: file });
        if (values.data) i.data = await checkCsv(resolve(values.data), values.data, i.inputs);
        return i;
      });
      write(values.json ? jsonWithoutCommands(JSON.stringify(info, null, 2)) : renderInspect(info));
      return info.data && !info.data.ok ? 2 : 0;
    }
    if (command === 'convert') {
      const file = positionals[1];
      if (!file || !values.output) throw new UserError("convert needs a model file and an output: 'model-risk-gate convert model.joblib -o model.onnx'");
      if (resolve(values.output) === resolve(file)) throw new UserError('convert would overwrite its input: give another -o file');
      const r = await guarded(() => convertModel(resolve(file), file, resolve(values.output!)));
      write(`Wrote ${values.output} (${r.bytes} bytes): ONNX graph of ${r.from}; inputs ${r.inputs.join(', ')}`);
      return 0;
    }
    if (command === 'shard') {
      // issue #12: score one slice of the rows (a job of a matrix); 'merge' combines the slices
      if (values.index === undefined || values.of === undefined || !values.output) throw new UserError("shard needs --index, --of and an output: 'model-risk-gate shard --policy policy.yml --index 0 --of 4 -o shard-0.bin'");
      const policyArg = values.policy ?? '.github/model-policy.yml';
      const shard = await guarded(() => runShard({ policyFile: isAbsolute(policyArg) ? policyArg : resolve(process.cwd(), policyArg), workspace: resolve(values.workspace ?? workspaceDefault), index: Number(values.index), of: Number(values.of) }));
      writeOutputFile(resolve(values.output), encodeShard(shard), resolve(values.workspace ?? workspaceDefault)); // never through a planted symlink
      write(`Wrote ${values.output}: shard ${shard.header.index} of ${shard.header.of}, rows ${shard.header.start}..${shard.header.end - 1} of ${shard.header.rows}`);
      return 0;
    }
    const merging = command === 'merge';
    if (merging && positionals.length < 2) throw new UserError("merge needs the shard files: 'model-risk-gate merge --policy policy.yml shard-*.bin'");
    if (command !== 'check' && !merging) throw new UserError(`unknown command '${command}'; use 'check', 'init', 'inspect', 'convert', 'shard' or 'merge' (see --help)`);

    const workspace = resolve(values.workspace ?? workspaceDefault);
    const policyArg = values.policy ?? '.github/model-policy.yml';
    const policyFile = isAbsolute(policyArg) ? policyArg : resolve(process.cwd(), policyArg);
    let baseline = values.baseline;
    if (baseline !== undefined && existsSync(resolve(process.cwd(), baseline))) baseline = resolve(process.cwd(), baseline);
    // stage, rows and elapsed time on stderr while the gate runs, when stderr is a terminal (erased before the report)
    const progress = terminalProgress(err);
    const gateOptions = { policyFile, workspace, timeBudgetMs: minutes * 60_000, onProgress: progress.onProgress, ...(baseline !== undefined ? { baseline } : {}) };
    const { report } = await (merging
      ? runMerge(positionals.slice(1).map((f) => ({ path: resolve(process.cwd(), f), name: f })), gateOptions)
      : runGate(gateOptions)
    ).finally(progress.done);
    const written: string[] = [];
    if (values.out) {
      const policyRel = relative(workspace, policyFile) || policyArg;
      const sarif = renderSarif(report, { automationId: `model-risk-gate/${policyRel}/` });
      const files = await writeReportFiles(resolve(values.out), JSON.stringify(report, null, 2) + '\n', JSON.stringify(sarif, null, 2) + '\n', workspace);
      const charts = renderCharts(report);
      const [htmlPath] = await writeExtraFiles(files.dir, [
        { name: 'report.html', content: renderHtml(report, charts) },
        ...charts.map((c) => ({ name: `charts/${c.name}.svg`, content: c.svg })),
      ], workspace);
      written.push(`Report: ${files.reportPath}`, `HTML:   ${htmlPath}`, `SARIF:  ${files.sarifPath}`);
    }
    const color = !values['no-color'] && !process.env.NO_COLOR && Boolean((out as NodeJS.WriteStream).isTTY);
    write(values.json ? jsonWithoutCommands(JSON.stringify(report, null, 2)) : renderText(report, { color }));
    // the files written come last, where they do not scroll away above a long report
    if (!values.json) for (const l of written) stdout.line(l);
    return report.verdict === 'fail' ? 1 : 0;
  } catch (error) {
    const failure = describeFailure(error, workspaceDefault);
    for (const line of failure.lines) stderr.line(`model-risk-gate: ${line.text}`);
    if (failure.debug && process.env.MODEL_RISK_GATE_DEBUG) stderr.text(failure.debug);
    return 2;
  }
}

const invokedDirectly = process.argv[1] !== undefined && /(?:^|[\\/])(cli\.[cm]?js|model-risk-gate)$/.test(process.argv[1]);
if (invokedDirectly) {
  installStdioGuard();
  cli(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => { process.stderr.write(`model-risk-gate: internal error: ${messageLine(String((e as Error)?.message ?? e).split('\n')[0])}\n`); process.exitCode = 2; },
  );
}
