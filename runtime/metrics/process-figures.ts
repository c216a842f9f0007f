import type { Registry } from "prom-client";
import { MetricName } from "./metric-names.ts";

/**
 * The process's CPU, memory and event-loop lag, read only when scraped. Not prom-client's
 * default metrics: those keep an event-loop-delay monitor and a GC observer running all the
 * time, which the bus benchmark showed in every request's latency.
 */
export async function registerProcessFigures(registry: Registry): Promise<void> {
  const { Counter, Gauge } = await import("prom-client");
  const registers = [registry];
  const p = MetricName.processPrefix;
  new Counter({
    name: MetricName.processCpu,
    help: "CPU time (user and system) this process used, in seconds.",
    registers,
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  new Gauge({ name: MetricName.processMemory, help: "Resident memory of this process, in bytes.", registers, collect() { this.set(process.memoryUsage.rss()); } });
  new Gauge({ name: `${p}nodejs_heap_used_bytes`, help: "V8 heap in use, in bytes.", registers, collect() { this.set(process.memoryUsage().heapUsed); } });
  new Gauge({
    name: MetricName.eventLoopLag,
    help: "How late a callback queued at the scrape ran, in seconds (the hub's fuse_instance_lag_seconds is the watchdog's view).",
    registers,
    async collect() {
      const queued = performance.now();
      await new Promise((resolve) => setImmediate(resolve));
      this.set((performance.now() - queued) / 1000);
    },
  });
  new Gauge({ name: MetricName.processStart, help: "When this process started, in seconds since the epoch.", registers, collect() { this.set(Math.round(Date.now() / 1000 - process.uptime())); } });
}
