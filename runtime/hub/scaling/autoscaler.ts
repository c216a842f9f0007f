import type { NatsTransport } from "../../bus/index.ts";
import type { Logger } from "../../log/index.ts";
import { decideScale } from "./autoscale-policy.ts";
import { gatherInflight } from "../supervision/stats.ts";
import type { Supervisor } from "../supervision/supervisor.ts";

interface ActorLoad {
  samples: { at: number; inflight: number }[];
  lastChangeAt: number;
  lastTickAt: number;
  busy: boolean;
}

const TICK_MS = 100;

/** Scales autoscaled actors from their in-flight requests, read from the bus stats. */
export class Autoscaler {
  private readonly loads = new Map<string, ActorLoad>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly supervisor: Supervisor,
    private readonly transport: NatsTransport,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  private tick(): void {
    const now = Date.now();
    for (const name of this.supervisor.names()) {
      const group = this.supervisor.group(name);
      const config = group.plan.autoscale;
      if (!config) continue;
      const load = this.loads.get(name) ?? { samples: [], lastChangeAt: now, lastTickAt: 0, busy: false };
      this.loads.set(name, load);
      if (load.busy || now - load.lastTickAt < config.intervalMs) continue;
      load.lastTickAt = now;
      load.busy = true;
      void this.evaluate(name, load, now)
        .catch((err) => this.log.warn({ err, actor: name }, "autoscale check failed"))
        .finally(() => (load.busy = false));
    }
  }

  private async evaluate(name: string, load: ActorLoad, now: number): Promise<void> {
    const group = this.supervisor.group(name);
    const config = group.plan.autoscale!;
    const status = group.status();
    if (status.desired === 0) return; // stopped by hand: leave it stopped
    const inflight = await gatherInflight(this.transport, name);
    load.samples.push({ at: now, inflight });
    load.samples = load.samples.filter((s) => now - s.at <= config.downCooldownMs);
    const recentPeak = Math.max(...load.samples.map((s) => s.inflight));
    const wanted = decideScale({ current: status.desired, inflight, recentPeak, now, lastChangeAt: load.lastChangeAt }, config);
    if (wanted === status.desired) return;
    this.log.info({ actor: name, from: status.desired, to: wanted, inflight }, "autoscaling");
    load.lastChangeAt = now;
    await group.scale(wanted);
    load.lastChangeAt = Date.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
