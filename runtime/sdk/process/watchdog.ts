import { writeSync } from "node:fs";
import { Worker } from "node:worker_threads";

const TICK_MS = 100;

export interface Watchdog {
  /** Sends a status line to the hub from the main thread. */
  report(line: object): void;
  stop(): void;
}

// Runs on its own thread so heartbeats keep flowing while the main loop is busy: the hub
// reads the reported lag to tell a busy instance (lag grows, then recovers) from a hung one.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const fs = require("node:fs");
const ticks = new Float64Array(workerData.shared);
const inflight = new Int32Array(workerData.inflight);
function write(line) {
  try { fs.writeSync(workerData.fd, JSON.stringify(line) + "\\n"); }
  catch (e) {
    // EPIPE: the hub is gone. Leave rather than run as an orphan.
    if (e.code === "EPIPE" || e.code === "EBADF") { process.kill(process.pid, "SIGTERM"); setTimeout(() => process.kill(process.pid, "SIGKILL"), 3000); }
  }
}
setInterval(() => write({ type: "heartbeat", lagMs: Math.max(0, Date.now() - ticks[0] - ${TICK_MS}), inflight: Atomics.load(inflight, 0) }), workerData.intervalMs);
`;

/**
 * Starts the heartbeat thread writing to `fd`. The main thread stamps a shared clock every
 * 100 ms; the thread reports how stale that stamp is.
 */
export function startWatchdog(options: { fd: number; intervalMs: number; inflight: () => number }): Watchdog {
  const shared = new SharedArrayBuffer(8);
  const inflightBuffer = new SharedArrayBuffer(4);
  const ticks = new Float64Array(shared);
  const inflight = new Int32Array(inflightBuffer);
  ticks[0] = Date.now();
  const stamp = setInterval(() => {
    ticks[0] = Date.now();
    Atomics.store(inflight, 0, options.inflight());
  }, TICK_MS);
  stamp.unref();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { shared, inflight: inflightBuffer, fd: options.fd, intervalMs: options.intervalMs },
  });
  worker.unref();
  return {
    report(line) {
      try {
        writeSync(options.fd, `${JSON.stringify(line)}\n`);
      } catch {
        // the hub is gone; the thread notices and stops the process
      }
    },
    stop() {
      clearInterval(stamp);
      void worker.terminate();
    },
  };
}
