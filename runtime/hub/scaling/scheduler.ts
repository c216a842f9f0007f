import { Cron } from "croner";
import type { ScheduleConfig } from "../../config/index.ts";
import { toFuseError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import type { ScheduleStatus } from "../../protocol/index.ts";

export interface SchedulerOptions {
  /** Runs one job: calls its endpoint or its task. */
  run(name: string, schedule: ScheduleConfig): Promise<void>;
  log: Logger;
}

interface Job {
  schedule: ScheduleConfig;
  cron: Cron;
  status: ScheduleStatus;
}

function describe(schedule: ScheduleConfig): string {
  return schedule.call ? `call ${schedule.call}` : `task ${schedule.task}`;
}

/**
 * Runs the config's schedules with croner. A job still running when its next time comes is
 * not started again (`protect`): the skipped run is counted instead.
 */
export class Scheduler {
  private jobs = new Map<string, Job>();

  constructor(private readonly options: SchedulerOptions) {}

  /** Replaces the schedules; a schedule whose definition is unchanged keeps its history. */
  apply(schedules: Record<string, ScheduleConfig>): void {
    const old = this.jobs;
    this.jobs = new Map();
    for (const [name, schedule] of Object.entries(schedules)) {
      const previous = old.get(name);
      const same = previous && JSON.stringify(previous.schedule) === JSON.stringify(schedule);
      if (same) {
        this.jobs.set(name, previous);
        old.delete(name);
        continue;
      }
      this.jobs.set(name, this.create(name, schedule));
    }
    for (const job of old.values()) job.cron.stop();
  }

  private create(name: string, schedule: ScheduleConfig): Job {
    const status: ScheduleStatus = { name, cron: schedule.cron, target: describe(schedule), nextRun: null, runs: 0, failures: 0, skipped: 0, running: false };
    const job = { schedule, status } as Job;
    job.cron = new Cron(
      schedule.cron,
      {
        protect: () => {
          status.skipped++;
          this.options.log.warn({ schedule: name }, "schedule overran, run skipped");
        },
        ...(schedule.timezone ? { timezone: schedule.timezone } : {}),
      },
      async () => {
        const started = Date.now();
        status.running = true;
        try {
          await this.options.run(name, schedule);
          status.lastRun = { at: started, outcome: "ok", durationMs: Date.now() - started };
        } catch (error) {
          const err = toFuseError(error);
          status.failures++;
          status.lastRun = { at: started, outcome: "failed", durationMs: Date.now() - started, error: `${err.code}: ${err.message}` };
          this.options.log.warn({ schedule: name, err, code: err.code }, "scheduled run failed");
        } finally {
          status.runs++;
          status.running = false;
        }
      },
    );
    return job;
  }

  list(): ScheduleStatus[] {
    return [...this.jobs.values()].map((job) => ({ ...job.status, nextRun: job.cron.nextRun()?.getTime() ?? null }));
  }

  stop(): void {
    for (const job of this.jobs.values()) job.cron.stop();
    this.jobs.clear();
  }
}
