// A keyed counter against the same count kept by a stateless actor, as a competent user would
// keep it: in the database (ctx.db, one atomic upsert returning the count) and in JetStream KV
// (ctx.kv.change: getEntry + update with the revision read, again on a conflict). 1,000 keys,
// 64 increments in flight, on a real hub (`fuse up`: nats-server, sqld, two instances of each
// actor). Two references say where the time goes: the keyed actor's turn that writes nothing
// (routing, queueing per key, no store) and a stateless call that touches no store (the bus).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { NatsTransport, connectNats } from "../runtime/bus/index.ts";
import { ADMIN_IDENTITY, inboxPrefix } from "../runtime/protocol/index.ts";
import { Caller } from "../runtime/sdk/caller.ts";
import { descendants, startHubProcess, type HubProcess } from "./lib/hub-process.ts";
import { commandOf, cpuMeter } from "./lib/process-cpu.ts";
import { BENCH_DIR, makeTempDir, removeTempDir } from "./lib/processes.ts";
import { roundsReport, type Comparison, type Metric } from "./lib/ratios.ts";
import type { BenchReport } from "./lib/report.ts";
import { runRounds, type Measured, type RoundSystem } from "./lib/rounds.ts";
import { envNumber, settings } from "./lib/settings.ts";

const KEYS = Math.round(envNumber("BENCH_KEYED_KEYS", 1000, 1));
const INSTANCES = Math.round(envNumber("BENCH_KEYED_INSTANCES", 2, 1));
const ROUNDS = Math.round(envNumber("BENCH_KEYED_ROUNDS", 3, 1));
const WARMUP_S = envNumber("BENCH_KEYED_WARMUP_S", 2, 0);

interface KeyedResult {
  perS: number;
  /** CPU per call in µs: all of it (the calling bench process, nats-server, the hub's other processes), and each part. */
  cpuUs: number;
  callerUs: number;
  busUs: number;
  hubUs: number;
}

// Calls a second follow the CPU that other people's work leaves free on a shared machine; CPU per
// call much less so. Both are paired by round.
const METRICS: Metric<KeyedResult>[] = [
  { name: "increments/s", value: (r) => r.perS },
  { name: "CPU µs/call", value: (r) => r.cpuUs },
];
const PARTS: Metric<KeyedResult>[] = [
  { name: "caller µs", value: (r) => r.callerUs },
  { name: "nats-server µs", value: (r) => r.busUs },
  { name: "actors+hub+sqld µs", value: (r) => r.hubUs },
];

/** The processes whose CPU a call costs: this one (the caller), the bus, and the rest of the hub (its actors, itself, sqld). */
function hubProcesses(hub: HubProcess): { caller: number[]; bus: number[]; hub: number[] } {
  const pids = [...new Set([...hub.state.servicePids, ...descendants(hub.child.pid!), hub.child.pid!])];
  const bus = pids.filter((pid) => commandOf(pid) === "nats-server");
  return { caller: [process.pid], bus, hub: pids.filter((pid) => !bus.includes(pid)) };
}

/** What each system calls; `keyed` ones name the key in the call, the others in the input. `hot`: 8 keys, so 64 in flight contend. */
const SYSTEMS = {
  keyed: { target: "kcount.increment", keyed: true, counts: true, hot: false },
  "db-upsert": { target: "dbcount.increment", keyed: false, counts: true, hot: false },
  "kv-cas": { target: "kvcount.increment", keyed: false, counts: true, hot: false },
  "keyed-read": { target: "kcount.read", keyed: true, counts: false, hot: false },
  "plain-call": { target: "kvcount.echo", keyed: false, counts: false, hot: false },
  "keyed-hot": { target: "kcount.increment", keyed: true, counts: true, hot: true },
  "db-upsert-hot": { target: "dbcount.increment", keyed: false, counts: true, hot: true },
  "kv-cas-hot": { target: "kvcount.increment", keyed: false, counts: true, hot: true },
} as const;
type SystemId = keyof typeof SYSTEMS;
const HOT_KEYS = 8;

const COMPARISONS: Comparison[] = [
  { label: "keyed / db-upsert", system: "keyed", baseline: "db-upsert" },
  { label: "keyed / kv-cas", system: "keyed", baseline: "kv-cas" },
  { label: "keyed-read / keyed (cost of the durable write)", system: "keyed-read", baseline: "keyed" },
  { label: "plain-call / keyed-read (cost of the keyed turn)", system: "plain-call", baseline: "keyed-read" },
  { label: "keyed-hot / db-upsert-hot (8 keys, 64 in flight)", system: "keyed-hot", baseline: "db-upsert-hot" },
  { label: "keyed-hot / kv-cas-hot (8 keys, 64 in flight)", system: "keyed-hot", baseline: "kv-cas-hot" },
];

const SDK = JSON.stringify(path.resolve(BENCH_DIR, "../runtime/sdk/index.ts"));

/** A hub folder with the three counter actors and the counters table. */
function writeHub(dir: string): void {
  for (const [name, file] of [["kcount", "keyed-counter"], ["dbcount", "db-counter"], ["kvcount", "kv-counter"]]) {
    mkdirSync(path.join(dir, "actors", name!), { recursive: true });
    const source = readFileSync(path.join(BENCH_DIR, "keyed", `${file}.ts`), "utf8").replace(/"(\.\.\/)+runtime\/sdk\/index\.ts"/, SDK);
    writeFileSync(path.join(dir, "actors", name!, "index.ts"), source);
  }
  mkdirSync(path.join(dir, "schemas"), { recursive: true });
  writeFileSync(path.join(dir, "schemas/counters.json"), readFileSync(path.join(BENCH_DIR, "keyed/counters.json")));
  mkdirSync(path.join(dir, "config"), { recursive: true });
  const actors = ["kcount", "dbcount", "kvcount"].map((a) => `  ${a}:\n    instances: ${INSTANCES}\n`).join("");
  writeFileSync(path.join(dir, "config/fuse.yaml"), `actors:\n${actors}`);
}

/** Per system: increments acknowledged per key so far, to check the counts the replies give. */
const acked = new Map<SystemId, number[]>();

function system(id: SystemId, caller: Caller, hub: HubProcess): RoundSystem<KeyedResult> {
  const spec = SYSTEMS[id];
  const keys = spec.hot ? HOT_KEYS : KEYS;
  // The hot systems count keys of their own, so each system's counts start at zero.
  const prefix = spec.hot ? "hot-" : "key-";
  const counts = acked.get(id) ?? new Array<number>(keys).fill(0);
  acked.set(id, counts);
  const highest = new Array<number>(keys).fill(0);
  const once = async (k: number): Promise<void> => {
    const key = `${prefix}${k}`;
    const reply = (await caller.call({ traceId: "bench-keyed", deadline: undefined }, spec.target, spec.keyed ? {} : { key }, { timeout: 30_000, ...(spec.keyed ? { key } : {}) })) as { count: number };
    if (!spec.counts) return;
    counts[k]!++;
    highest[k] = Math.max(highest[k]!, reply.count);
  };
  return {
    id,
    async measure(): Promise<Measured<KeyedResult>> {
      // Warm-up: every key once (keyed: activated; db: row made; kv: entry made), then the same
      // load for WARMUP_S untimed: after 1,000 calls the first system of round 1 (keyed) was
      // measured while its actors and this caller still ran unoptimised code, at up to twice the
      // CPU a call it took in later rounds.
      await loop(once, keys, keys, Infinity);
      await loop(once, keys, Infinity, performance.now() + WARMUP_S * 1000);
      const meter = cpuMeter(hubProcesses(hub));
      const started = performance.now();
      const done = await loop(once, keys, Infinity, started + settings.seconds * 1000);
      const perS = done / ((performance.now() - started) / 1000);
      const cpu = meter.stop();
      const [callerUs, busUs, hubUs] = [cpu.caller / done, cpu.bus / done, cpu.hub / done];
      // Every increment acknowledged is counted once: the highest count a key answered is how many it was given.
      const wrong = counts.flatMap((n, k) => (spec.counts && highest[k] !== n ? [`${prefix}${k}: ${n} increments, highest count ${highest[k]}`] : []));
      return { metrics: { perS, cpuUs: callerUs + busUs + hubUs, callerUs, busUs, hubUs }, ...(wrong.length ? { failure: `${wrong.length} keys miscounted, e.g. ${wrong[0]}` } : {}) };
    },
  };
}

/** `settings.inflight` workers calling `once` over `keys` keys in turn, until `limit` calls or `until`. */
async function loop(once: (k: number) => Promise<void>, keys: number, limit: number, until: number): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < limit && performance.now() < until) {
      await once(next++ % keys);
      done++;
    }
  };
  await Promise.all(Array.from({ length: settings.inflight }, worker));
  return done;
}

export async function runKeyedBench(): Promise<BenchReport> {
  const dir = makeTempDir("keyed");
  try {
    writeHub(dir);
    const hub = await startHubProcess(dir);
    const connection = await connectNats({ url: hub.state.natsUrl, name: "bench-keyed", credsFile: hub.state.natsCreds, inboxPrefix: inboxPrefix(ADMIN_IDENTITY) });
    const transport = new NatsTransport(connection);
    try {
      const caller = new Caller(transport, "fuse", "bench");
      const ids = Object.keys(SYSTEMS) as SystemId[];
      const runs = await runRounds(ids.map((id) => system(id, caller, hub)), { bench: "keyed", rounds: ROUNDS, describe: (r) => `${Math.round(r.perS)} increments/s, ${Math.round(r.cpuUs)} µs CPU a call` });
      return roundsReport(runs, {
        bench: "keyed",
        settings: { rounds: ROUNDS, seconds: settings.seconds, warmupSeconds: WARMUP_S, keys: KEYS, inflight: settings.inflight, instances: INSTANCES },
        systems: ids,
        metrics: METRICS,
        unpaired: PARTS,
        comparisons: COMPARISONS,
        notes: [
          "keyed: kcount.increment, the count in the key's state, stored in JetStream KV (one revision-checked write) before each reply",
          "db-upsert: INSERT … ON CONFLICT (key) DO UPDATE SET n = n + 1 RETURNING n through ctx.db to the hub's sqld; kv-cas: ctx.kv.change (getEntry + update{revision}, retried on conflict)",
          "keyed-read and plain-call are references (no write): they are not increments; a run fails if a key's highest answered count differs from the increments it was given",
          "CPU µs/call: user + system CPU over the timed window (/proc) of this process (the caller), nats-server and every other process of the hub (actors, the hub, sqld), divided by the calls; below 1x is better. Where the machine is shared it varies far less than increments/s",
          `*-hot: the same on ${HOT_KEYS} keys, so the 64 calls in flight contend for each key (queued turns for keyed, conflicts and retries for kv-cas, row locks for the database)`,
        ],
      });
    } finally {
      await transport.close();
      await hub.stop();
    }
  } finally {
    removeTempDir(dir);
  }
}
