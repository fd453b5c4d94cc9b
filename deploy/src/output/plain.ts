import type { Writable } from 'node:stream';
import { toCliError } from '../errors.js';
import { settleAll, type Progress, type Step, type StepSpec } from './progress.js';

/** Plain, timestamped lines for CI and non-TTY stderr. Every line stands alone, so logs interleave cleanly. */
export class PlainProgress implements Progress {
  constructor(
    private readonly out: Writable,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private line(text: string): void {
    const ts = this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    this.out.write(`${ts} ${text}\n`);
  }

  async step<T>(title: string, run: (step: Step) => Promise<T>): Promise<T> {
    const started = this.now().getTime();
    let skipped: string | undefined;
    let failed: string | undefined;
    this.line(`▶ ${title}`);
    const step: Step = {
      update: (l) => this.line(`  ${title}: ${l}`),
      log: (l) => this.line(`  │ ${l}`),
      skip: (reason) => {
        skipped = reason;
      },
      fail: (reason) => {
        failed = reason;
      },
    };
    try {
      const result = await run(step);
      const took = ((this.now().getTime() - started) / 1000).toFixed(1);
      this.line(failed ? `✖ ${title}: ${failed}` : skipped ? `↓ ${title}: skipped (${skipped})` : `✔ ${title} (${took}s)`);
      return result;
    } catch (err) {
      this.line(`✖ ${title}: ${(err as Error | undefined)?.message || toCliError(err).message}`);
      throw err;
    }
  }

  parallel<T>(steps: StepSpec<T>[]): Promise<T[]> {
    return settleAll(steps.map((s) => this.step(s.title, s.run)));
  }

  note(line: string): void {
    this.line(line);
  }

  close(): void {}
}

/** --quiet or tests that do not care about progress. */
export class SilentProgress implements Progress {
  step<T>(_title: string, run: (step: Step) => Promise<T>): Promise<T> {
    return run({ update() {}, log() {}, skip() {}, fail() {} });
  }
  parallel<T>(steps: StepSpec<T>[]): Promise<T[]> {
    return settleAll(steps.map((s) => this.step(s.title, s.run)));
  }
  note(): void {}
  close(): void {}
}
