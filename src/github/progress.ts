/**
 * Progress of a run in the Action's log (issue #15): one collapsible log group per stage, opened when the stage starts
 * (the live log shows what is running) and closed with its duration, so the log is not silent until the end.
 * Group titles and lines are ours (stage names, numbers) and still go through the output writer's messageLine; the
 * group commands are written inside withWorkflowCommands so the stdout guard lets exactly them through.
 */
import * as core from '@actions/core';
import type { GateProgress } from '../gate.js';
import { formatElapsed, stageWords } from '../progress.js';
import { messageLine, withWorkflowCommands } from '../util/output.js';

export interface ActionProgress {
  onProgress(event: GateProgress): void;
  /** Closes a group left open (the run failed inside a stage). */
  done(): void;
}

export function actionProgress(write: (line: string) => void = (l) => void process.stdout.write(`${l}\n`)): ActionProgress {
  let open: string | undefined;
  const start = (event: GateProgress): void => {
    const rows = event.rows !== undefined && event.stage !== 'dataset' ? ` (${event.rows.toLocaleString('en-US')} rows)` : '';
    withWorkflowCommands(() => core.startGroup(messageLine(`model-risk-gate: ${stageWords(event.stage)}${rows}`, 200)));
    open = event.stage;
  };
  const close = (): void => {
    if (open === undefined) return;
    withWorkflowCommands(() => core.endGroup());
    open = undefined;
  };
  return {
    onProgress(event) {
      if (event.state === 'start') {
        close();
        start(event);
        return;
      }
      if (open !== event.stage) {
        close();
        start(event);
      }
      const rows = event.stage === 'dataset' && event.rows !== undefined ? `: ${event.rows.toLocaleString('en-US')} rows` : '';
      write(messageLine(`${event.stage} done in ${formatElapsed(event.stageMs ?? 0)}${rows} (${formatElapsed(event.elapsedMs)} since the start)`));
      close();
    },
    done: close,
  };
}
