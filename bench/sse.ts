// Events delivered per second to 100 browsers following one topic through the gateway's
// GET /events/<topic> (Server-Sent Events, from the hub's JetStream event stream), against
// the same events delivered to 100 plain nats.js subscribers of the event subject, each on its
// own connection, on the same nats-server. Both are fed by one publisher of plain NATS
// messages on the event subject (the stream stores them as it stores ctx.emit's).
import { request } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { connect, type NatsConnection } from "nats";
import { natsAuthenticator } from "../runtime/bus/index.ts";
import { ADMIN_IDENTITY, inboxPrefix } from "../runtime/protocol/index.ts";
import { startHubProcess, type HubProcess } from "./lib/hub-process.ts";
import { makeTempDir, removeTempDir } from "./lib/processes.ts";
import { roundsReport, type Metric } from "./lib/ratios.ts";
import type { BenchReport } from "./lib/report.ts";
import { runRounds, type Measured, type RoundSystem } from "./lib/rounds.ts";
import { envNumber } from "./lib/settings.ts";

const CLIENTS = Math.round(envNumber("BENCH_SSE_CLIENTS", 100, 1));
const EVENTS = Math.round(envNumber("BENCH_SSE_EVENTS", 5000, 1));
const PAYLOAD = JSON.stringify({ order: 123456, sku: "widget", qty: 1, note: "x".repeat(120) });

interface SseResult {
  eventsPerS: number;
}
const METRICS: Metric<SseResult>[] = [{ name: "events delivered/s", value: (r) => r.eventsPerS }];

/** Resolves when every one of `counts` reached `EVENTS`; rejects after `ms`. */
function allReceived(counts: number[], ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const check = () => {
      if (counts.every((n) => n >= EVENTS)) return resolve();
      if (Date.now() > deadline) return reject(new Error(`received ${counts.reduce((a, b) => a + b, 0)} of ${CLIENTS * EVENTS}`));
      setTimeout(check, 5);
    };
    check();
  });
}

async function publish(nc: NatsConnection, subject: string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    nc.publish(subject, PAYLOAD);
    if (i % 500 === 499) await nc.flush();
  }
  await nc.flush();
  return started;
}

async function throughSse(hub: HubProcess, nc: NatsConnection, round: number): Promise<Measured<SseResult>> {
  const topic = `bench.sse${round}`;
  const counts = new Array<number>(CLIENTS).fill(0);
  const ready = new Array<boolean>(CLIENTS).fill(false);
  const requests = counts.map((_, k) =>
    request(`${hub.state.gatewayUrl}/events/${topic}`, { headers: { accept: "text/event-stream" } }, (res) => {
      res.setEncoding("latin1");
      // Frames start with "id: "; the last 3 characters of a chunk are kept so that a marker
      // cut across two chunks is counted once.
      let carry = "";
      res.on("data", (chunk: string) => {
        const text = carry + chunk;
        if (!ready[k] && text.includes(": ready")) ready[k] = true;
        for (let at = text.indexOf("id: "); at >= 0; at = text.indexOf("id: ", at + 4)) counts[k]!++;
        carry = text.slice(-3);
      }).on("error", () => undefined);
    }).end(),
  );
  try {
    await new Promise<void>((resolve) => {
      const wait = () => (ready.every(Boolean) ? resolve() : setTimeout(wait, 10));
      wait();
    });
    const started = await publish(nc, `fuse.events.${topic}`);
    await allReceived(counts, 120_000);
    return { metrics: { eventsPerS: (CLIENTS * EVENTS) / ((performance.now() - started) / 1000) } };
  } finally {
    for (const r of requests) r.destroy();
  }
}

async function throughNats(hub: HubProcess, nc: NatsConnection, round: number): Promise<Measured<SseResult>> {
  const subject = `fuse.events.bench.nats${round}`;
  const counts = new Array<number>(CLIENTS).fill(0);
  const subscribers: NatsConnection[] = [];
  // Connected one at a time: a hundred NKey handshakes at once time out on a loaded machine.
  for (let k = 0; k < CLIENTS; k++) subscribers.push(await connectAdmin(hub, `sub-${k}`));
  try {
    subscribers.forEach((sub, k) => sub.subscribe(subject, { callback: () => void counts[k]!++ }));
    await Promise.all(subscribers.map((s) => s.flush()));
    const started = await publish(nc, subject);
    await allReceived(counts, 120_000);
    return { metrics: { eventsPerS: (CLIENTS * EVENTS) / ((performance.now() - started) / 1000) } };
  } finally {
    await Promise.all(subscribers.map((s) => s.close()));
  }
}

function connectAdmin(hub: HubProcess, name: string): Promise<NatsConnection> {
  return connect({ servers: hub.state.natsUrl, name, timeout: 20_000, inboxPrefix: inboxPrefix(ADMIN_IDENTITY), ...(hub.state.natsCreds ? { authenticator: natsAuthenticator(hub.state.natsCreds) } : {}) });
}

export async function runSseBench(): Promise<BenchReport> {
  const dir = makeTempDir("sse");
  mkdirSync(path.join(dir, "config"));
  writeFileSync(path.join(dir, "config/fuse.yaml"), "{}\n");
  try {
    const hub = await startHubProcess(dir);
    const nc = await connectAdmin(hub, "bench-publisher");
    let round = 0;
    try {
      const systems: RoundSystem<SseResult>[] = [
        { id: "fuse-sse", measure: () => throughSse(hub, nc, round++) },
        { id: "nats.js-subscribers", measure: () => throughNats(hub, nc, round++) },
      ];
      const rounds = Math.round(envNumber("BENCH_SSE_ROUNDS", 3, 1));
      const runs = await runRounds(systems, { bench: "sse", rounds, describe: (r) => `${Math.round(r.eventsPerS)} events delivered/s` });
      return roundsReport(runs, {
        bench: "sse",
        settings: { rounds, clients: CLIENTS, events: EVENTS, payload_bytes: PAYLOAD.length },
        systems: systems.map((s) => s.id),
        metrics: METRICS,
        comparisons: [{ label: "fuse-sse / nats.js-subscribers", system: "fuse-sse", baseline: "nats.js-subscribers" }],
        notes: [
          "events delivered/s: clients × events over the time from the first publish to the last client's last event; one publisher of plain NATS messages on the event subject",
          "fuse-sse: the gateway follows the hub's event stream (JetStream) and writes each event to 100 HTTP clients; baseline: 100 nats.js connections subscribed to the subject (core NATS, no stream)",
        ],
      });
    } finally {
      await nc.close();
      await hub.stop();
    }
  } finally {
    removeTempDir(dir);
  }
}
