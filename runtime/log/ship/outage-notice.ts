import type { Logger } from "pino";

/**
 * One warning when a collector stops answering and one line when it answers again, however
 * many lines or retries fall in between: a log line per failed line would flood the logs
 * that are themselves being shipped.
 */
export class OutageNotice {
  private down = false;

  constructor(
    private readonly log: Logger,
    private readonly target: string,
  ) {}

  failed(err: unknown, dropped: number): void {
    if (this.down) return;
    this.down = true;
    this.log.warn({ target: this.target, err, droppedTotal: dropped }, "log shipping failed");
  }

  delivered(dropped: number): void {
    if (!this.down) return;
    this.down = false;
    this.log.info({ target: this.target, droppedTotal: dropped }, "log shipping resumed");
  }
}
