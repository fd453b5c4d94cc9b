import type { Writable } from 'node:stream';
import { Listr, ListrLogger, PRESET_TIMER, ProcessOutput, type ListrTask, type ListrTaskWrapper } from 'listr2';
import { toCliError } from '../errors.js';
import { settleAll, type Progress, type Step, type StepSpec } from './progress.js';

type AnyTask = ListrTaskWrapper<any, any, any>;

/** Thrown inside a listr task only to show a step as failed, with the funnel's line; never leaves this module. */
class StepFailed extends Error {}

/** A live task list with spinners on a TTY, on the given stream (stderr: stdout stays for results and JSON). */
export class ListrProgress implements Progress {
  private readonly processOutput: ProcessOutput;

  constructor(private readonly out: Writable) {
    this.processOutput = new ProcessOutput(out as never, out as never);
  }

  private makeStep(task: AnyTask, kept: string[], failed: { reason?: string }): Step {
    return {
      update: (l) => {
        task.output = [...kept, l].join('\n');
      },
      log: (l) => {
        kept.push(l);
        task.output = kept.join('\n');
      },
      skip: (reason) => task.skip(reason),
      fail: (reason) => {
        failed.reason = reason;
      },
    };
  }

  private async runList<T>(steps: StepSpec<T>[]): Promise<T[]> {
    const results: T[] = new Array<T>(steps.length);
    const errors: unknown[] = [];
    const tasks: ListrTask[] = steps.map((s, i) => ({
      title: s.title,
      task: async (_ctx: unknown, task: AnyTask) => {
        const failed: { reason?: string } = {};
        try {
          results[i] = await s.run(this.makeStep(task, [], failed));
        } catch (err) {
          errors.push(err);
          throw new StepFailed((err as Error | undefined)?.message || toCliError(err).message); // never an empty line
        }
        if (failed.reason !== undefined) throw new StepFailed(failed.reason);
      },
      rendererOptions: { persistentOutput: true, outputBar: Infinity, bottomBar: Infinity },
    }));
    const list = new Listr(tasks, {
      concurrent: steps.length > 1,
      exitOnError: false,
      registerSignalListeners: false,
      rendererOptions: { logger: new ListrLogger({ processOutput: this.processOutput }), timer: PRESET_TIMER },
      fallbackRendererOptions: { logger: new ListrLogger({ processOutput: this.processOutput }), timer: PRESET_TIMER },
    });
    // Failures were recorded above (errors) or reported with fail(); listr only renders them.
    await list.run().catch(() => undefined);
    if (errors.length) throw errors[0];
    return results;
  }

  async step<T>(title: string, run: (step: Step) => Promise<T>): Promise<T> {
    const [r] = await this.runList([{ title, run }]);
    return r as T;
  }

  parallel<T>(steps: StepSpec<T>[]): Promise<T[]> {
    return settleAll([this.runList(steps)]).then(([r]) => r!);
  }

  note(line: string): void {
    this.out.write(`${line}\n`);
  }

  close(): void {}
}
