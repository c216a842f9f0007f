import { Counter, Gauge, Registry } from "prom-client";
import { INSTANCE_STATES, type ActorStatus } from "../protocol/index.ts";
import type { MetricsSnapshot } from "./actor-metrics.ts";
import { INSTANCE_LABEL, MetricName } from "./metric-names.ts";

export interface HubMetricsOptions {
  /** What `hub.list` shows: every actor and process with its instances. */
  statuses(): ActorStatus[] | Promise<ActorStatus[]>;
  /** nats-server's monitoring endpoint (`http://127.0.0.1:<port>`), when the hub runs the server. */
  natsMonitorUrl?: string | undefined;
  /** What each collector of `logging.ship` was sent, when lines are shipped. */
  shipping?: (() => ShipFigures[]) | undefined;
}

/** One collector's figures (the log module's ShipCounts). */
export interface ShipFigures {
  target: string;
  shipped: number;
  dropped: number;
  buffered: number;
}

/** nats-server's `/varz` fields shown, and how: a counter (`_total`) or a gauge, and a scale to base units. */
const VARZ: { field: string; name: string; help: string; counter?: boolean; scale?: number }[] = [
  { field: "connections", name: "connections", help: "Client connections open on nats-server." },
  { field: "subscriptions", name: "subscriptions", help: "Subscriptions on nats-server." },
  { field: "slow_consumers", name: "slow_consumers_total", help: "Clients nats-server cut off as slow consumers.", counter: true },
  { field: "in_msgs", name: "in_messages_total", help: "Messages nats-server received.", counter: true },
  { field: "out_msgs", name: "out_messages_total", help: "Messages nats-server delivered.", counter: true },
  { field: "in_bytes", name: "in_bytes_total", help: "Bytes nats-server received.", counter: true },
  { field: "out_bytes", name: "out_bytes_total", help: "Bytes nats-server delivered.", counter: true },
  { field: "mem", name: "resident_memory_bytes", help: "Resident memory of nats-server, in bytes." },
  { field: "cpu", name: "cpu_ratio", help: "CPU nats-server used, as a share of one core (its /varz percent / 100).", scale: 0.01 },
];

/**
 * The hub's own figures, read when scraped: each instance's restarts, status and lag (from the
 * supervisor, as `fuse actors ls` shows them) and nats-server's figures from its monitoring
 * endpoint. Nothing is counted on a hot path.
 */
export class HubMetrics {
  readonly registry = new Registry();

  constructor(private readonly options: HubMetricsOptions) {
    const registers = [this.registry];
    const statuses = () => Promise.resolve(options.statuses());
    new Gauge({
      name: MetricName.instanceRestarts,
      help: "Restarts the hub made of an instance (after it died or hung).",
      labelNames: ["actor", INSTANCE_LABEL],
      registers,
      async collect() {
        this.reset();
        for (const a of await statuses()) for (const i of a.instances) this.set({ actor: a.name, [INSTANCE_LABEL]: String(i.index) }, i.restarts);
      },
    });
    new Gauge({
      name: MetricName.instanceStatus,
      help: `1 for an instance's current status (${INSTANCE_STATES.join(", ")}), 0 for the others.`,
      labelNames: ["actor", INSTANCE_LABEL, "status"],
      registers,
      async collect() {
        this.reset();
        for (const a of await statuses()) {
          for (const i of a.instances) for (const s of INSTANCE_STATES) this.set({ actor: a.name, [INSTANCE_LABEL]: String(i.index), status: s }, i.status === s ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: MetricName.instanceLag,
      help: "Main-loop lag an instance's watchdog last reported, in seconds.",
      labelNames: ["actor", INSTANCE_LABEL],
      registers,
      async collect() {
        this.reset();
        for (const a of await statuses()) for (const i of a.instances) if (i.pid !== null) this.set({ actor: a.name, [INSTANCE_LABEL]: String(i.index) }, i.lagMs / 1000);
      },
    });
    if (options.natsMonitorUrl) this.natsFigures(options.natsMonitorUrl);
    if (options.shipping) this.shippingFigures(options.shipping);
  }

  /** Each collector's lines shipped, dropped and held, read from the shipper when scraped. */
  private shippingFigures(figures: () => ShipFigures[]): void {
    const registers = [this.registry];
    const each = [
      { name: MetricName.logLinesShipped, help: "Log lines a collector of logging.ship accepted.", field: "shipped", counter: true },
      { name: MetricName.logLinesDropped, help: "Log lines given up for a collector: over the buffer's bound while it was away, or refused by it.", field: "dropped", counter: true },
      { name: MetricName.logLinesBuffered, help: "Log lines held for a collector now, waiting for it.", field: "buffered", counter: false },
    ] as const;
    for (const f of each) {
      const labelNames = ["target"];
      if (f.counter) {
        new Counter({ name: f.name, help: f.help, labelNames, registers, collect() { this.reset(); for (const t of figures()) this.inc({ target: t.target }, t[f.field]); } });
      } else {
        new Gauge({ name: f.name, help: f.help, labelNames, registers, collect() { this.reset(); for (const t of figures()) this.set({ target: t.target }, t[f.field]); } });
      }
    }
  }

  /** Every series now, as prom-client's JSON (merged with the processes' snapshots). */
  snapshot(): Promise<MetricsSnapshot> {
    return this.registry.getMetricsAsJSON() as Promise<MetricsSnapshot>;
  }

  /** nats-server's `/varz`, read once per scrape (a shared promise, so its figures agree). */
  private natsFigures(url: string): void {
    const registers = [this.registry];
    let pending: Promise<Record<string, number> | undefined> | undefined;
    const varz = () =>
      (pending ??= fetch(`${url}/varz`, { signal: AbortSignal.timeout(1000) })
        .then((r) => (r.ok ? (r.json() as Promise<Record<string, number>>) : undefined))
        .catch(() => undefined)
        .finally(() => setTimeout(() => (pending = undefined), 100).unref()));
    new Gauge({
      name: `${MetricName.natsPrefix}up`,
      help: "1 when nats-server's monitoring endpoint answered this scrape, else 0.",
      registers,
      async collect() {
        this.set((await varz()) ? 1 : 0);
      },
    });
    for (const f of VARZ) {
      const name = `${MetricName.natsPrefix}${f.name}`;
      const read = async () => {
        const value = (await varz())?.[f.field];
        return typeof value === "number" ? value * (f.scale ?? 1) : undefined;
      };
      if (f.counter) {
        new Counter({ name, help: f.help, registers, async collect() { const v = await read(); this.reset(); if (v !== undefined) this.inc(v); } });
      } else {
        new Gauge({ name, help: f.help, registers, async collect() { const v = await read(); this.reset(); if (v !== undefined) this.set(v); } });
      }
    }
  }
}
