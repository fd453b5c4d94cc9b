import { Listr, ListrLogger, PRESET_TIMER, ProcessOutput, type ListrTask, type ListrTaskWrapper } from 'listr2';
import { settleAll, type Progress, type Step, type StepSpec } from './progress.js';

type AnyTask = ListrTaskWrapper<any, any, any>;

/** A live task list with spinners on a TTY (stderr, so stdout stays for results and JSON). */
export class ListrProgress implements Progress {
  private readonly processOutput = new ProcessOutput(process.stderr as never, process.stderr as never);

  private makeStep(task: AnyTask, kept: string[]): Step {
    return {
      update: (l) => {
        task.output = [...kept, l].join('\n');
      },
      log: (l) => {
        kept.push(l);
        task.output = kept.join('\n');
      },
      skip: (reason) => task.skip(reason),
    };
  }

  private async runList<T>(steps: StepSpec<T>[]): Promise<T[]> {
    const results: T[] = new Array<T>(steps.length);
    const errors: unknown[] = [];
    const tasks: ListrTask[] = steps.map((s, i) => ({
      title: s.title,
      task: async (_ctx: unknown, task: AnyTask) => {
        try {
          results[i] = await s.run(this.makeStep(task, []));
        } catch (err) {
          errors.push(err);
          throw err;
        }
      },
      rendererOptions: { persistentOutput: true, outputBar: Infinity, bottomBar: Infinity },
    }));
    const list = new Listr(tasks, {
      concurrent: steps.length > 1,
      exitOnError: false,
      registerSignalListeners: false,
      rendererOptions: { logger: new ListrLogger({ processOutput: this.processOutput }), timer: PRESET_TIMER },
    });
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
    process.stderr.write(`${line}\n`);
  }

  close(): void {}
}
