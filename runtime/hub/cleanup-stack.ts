import type { Logger } from "../log/index.ts";

/** Steps to undo what was started, run last-in first-out; a failing step is logged and the rest still run. */
export class CleanupStack {
  private readonly steps: (() => Promise<void> | void)[] = [];

  constructor(private readonly log: Logger) {}

  push(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        await step();
      } catch (err) {
        this.log.error({ err }, "cleanup step failed");
      }
    }
  }
}
