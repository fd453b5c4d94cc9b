/** How actions report progress. Rendered as a listr2 task list on a TTY, plain timestamped lines otherwise. */
export interface Step {
  /** A transient status line (spinner text on a TTY, a timestamped line in CI). */
  update(line: string): void;
  /** A line worth keeping (a failed task's reason, a log line). */
  log(line: string): void;
  /** Mark the step skipped, with why. */
  skip(reason: string): void;
  /**
   * Mark the step failed, with why, without throwing: the step still returns its result (a verdict, a
   * report slice), and the caller decides what the failure means. Thrown errors are for the unexpected.
   */
  fail(reason: string): void;
}

export interface StepSpec<T> {
  title: string;
  run: (step: Step) => Promise<T>;
}

export interface Progress {
  step<T>(title: string, run: (step: Step) => Promise<T>): Promise<T>;
  /** Steps that run at the same time (both builds, both rollouts). Rejects with the first error after all settle. */
  parallel<T>(steps: StepSpec<T>[]): Promise<T[]>;
  /** A standalone line (warnings, notes). */
  note(line: string): void;
  close(): void;
}

export async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
