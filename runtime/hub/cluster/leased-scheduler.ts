import type { ScheduleConfig } from "../../config/index.ts";
import { Scheduler, type SchedulerOptions } from "../scaling/scheduler.ts";

/**
 * The cron scheduler of a cluster node: its jobs run only while this node holds the schedules
 * lease (`activate` / `deactivate`); config edits are kept meanwhile and applied when it
 * gains the lease.
 */
export class LeasedScheduler extends Scheduler {
  private wanted: Record<string, ScheduleConfig> = {};
  private active = false;

  constructor(options: SchedulerOptions) {
    super(options);
  }

  override apply(schedules: Record<string, ScheduleConfig>): void {
    this.wanted = schedules;
    if (this.active) super.apply(schedules);
  }

  activate(): void {
    this.active = true;
    super.apply(this.wanted);
  }

  deactivate(): void {
    this.active = false;
    super.stop();
  }

  override stop(): void {
    this.active = false;
    super.stop();
  }
}
