// The cost of an idempotent endpoint (issue 15 point 11): the same endpoint with replies
// stored by idempotency key against it plain, each call with a fresh key, under the same load
// (64 in flight), on a real hub (`fuse up`: nats-server with JetStream, two instances). A
// fresh key costs a claim (KV create), the handler and the stored reply (KV update); a repeat
// with a stored key costs a KV get and no handler run, measured as a third system.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { NatsTransport, connectNats } from "../runtime/bus/index.ts";
import { ADMIN_IDENTITY, inboxPrefix } from "../runtime/protocol/index.ts";
import { Caller } from "../runtime/sdk/caller.ts";
import { startHubProcess } from "./lib/hub-process.ts";
import { BENCH_DIR, makeTempDir, removeTempDir } from "./lib/processes.ts";
import { roundsReport, type Comparison, type Metric } from "./lib/ratios.ts";
import type { BenchReport } from "./lib/report.ts";
import { runRounds, type Measured, type RoundSystem } from "./lib/rounds.ts";
import { envNumber, settings } from "./lib/settings.ts";

const INSTANCES = Math.round(envNumber("BENCH_IDEM_INSTANCES", 2, 1));
const ROUNDS = Math.round(envNumber("BENCH_IDEM_ROUNDS", 3, 1));
// Keys a repeat draws from, each stored once before the rounds.
const REPEAT_KEYS = 1000;

interface IdemResult {
  perS: number;
}

const METRICS: Metric<IdemResult>[] = [{ name: "calls/s", value: (r) => r.perS }];

const SYSTEMS = {
  plain: { target: "idem.plain", keys: "fresh" },
  idempotent: { target: "idem.stored", keys: "fresh" },
  "idempotent-repeat": { target: "idem.stored", keys: "repeat" },
} as const;
type SystemId = keyof typeof SYSTEMS;

const COMPARISONS: Comparison[] = [
  { label: "idempotent / plain (a fresh key per call)", system: "idempotent", baseline: "plain" },
  { label: "idempotent-repeat / plain (stored reply, no handler run)", system: "idempotent-repeat", baseline: "plain" },
];

const SDK = JSON.stringify(path.resolve(BENCH_DIR, "../runtime/sdk/index.ts"));

function writeHub(dir: string): void {
  mkdirSync(path.join(dir, "actors", "idem"), { recursive: true });
  const source = readFileSync(path.join(BENCH_DIR, "idempotent", "idem-actor.ts"), "utf8").replace(/"(\.\.\/)+runtime\/sdk\/index\.ts"/, SDK);
  writeFileSync(path.join(dir, "actors", "idem", "index.ts"), source);
  mkdirSync(path.join(dir, "config"), { recursive: true });
  writeFileSync(path.join(dir, "config/fuse.yaml"), `actors:\n  idem:\n    instances: ${INSTANCES}\n`);
}

let fresh = 0;
const call = (caller: Caller, target: string, n: number, key: string) =>
  caller.call({ traceId: "bench-idem", deadline: undefined }, target, { n }, { timeout: 30_000, idempotencyKey: key }) as Promise<{ n: number }>;

function system(id: SystemId, caller: Caller): RoundSystem<IdemResult> {
  const spec = SYSTEMS[id];
  // Every call sends a key, the plain one too, so the two differ only in what the endpoint does with it.
  const keyOf = (i: number) => (spec.keys === "fresh" ? `fresh-${fresh++}` : `repeat-${i % REPEAT_KEYS}`);
  return {
    id,
    async measure(): Promise<Measured<IdemResult>> {
      let wrong = 0;
      const once = async (i: number) => {
        const key = keyOf(i);
        // A repeat answers with the first call's input: n is its key's number.
        const n = spec.keys === "fresh" ? i : i % REPEAT_KEYS;
        if ((await call(caller, spec.target, n, key)).n !== n) wrong++;
      };
      await loop(once, settings.warmup, Infinity);
      const started = performance.now();
      const done = await loop(once, Infinity, started + settings.seconds * 1000);
      const perS = done / ((performance.now() - started) / 1000);
      return { metrics: { perS }, ...(wrong ? { failure: `${wrong} replies did not match their input` } : {}) };
    },
  };
}

/** `settings.inflight` workers calling `once` in turn, until `limit` calls or `until`. */
async function loop(once: (i: number) => Promise<void>, limit: number, until: number): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < limit && performance.now() < until) {
      await once(next++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: settings.inflight }, worker));
  return done;
}

export async function runIdempotentBench(): Promise<BenchReport> {
  const dir = makeTempDir("idempotent");
  try {
    writeHub(dir);
    const hub = await startHubProcess(dir);
    const connection = await connectNats({ url: hub.state.natsUrl, name: "bench-idem", credsFile: hub.state.natsCreds, inboxPrefix: inboxPrefix(ADMIN_IDENTITY) });
    const transport = new NatsTransport(connection);
    try {
      const caller = new Caller(transport, "fuse", "bench");
      // The repeat system's keys are stored once, before any round.
      await loop((i) => call(caller, "idem.stored", i, `repeat-${i}`).then(() => undefined), REPEAT_KEYS, Infinity);
      const ids = Object.keys(SYSTEMS) as SystemId[];
      const runs = await runRounds(ids.map((id) => system(id, caller)), { bench: "idempotent", rounds: ROUNDS, describe: (r) => `${Math.round(r.perS)} calls/s` });
      return roundsReport(runs, {
        bench: "idempotent",
        settings: { rounds: ROUNDS, seconds: settings.seconds, inflight: settings.inflight, instances: INSTANCES },
        systems: ids,
        metrics: METRICS,
        comparisons: COMPARISONS,
        notes: [
          "one handler that does no work, served as idem.stored (defineEndpoint({ idempotent: { ttl: 60000 } })) and idem.plain; every call carries Fuse-Idempotency-Key",
          "idempotent: a fresh key per call: claim (KV create), handler, reply stored (KV update with the claim's revision) before the reply",
          `idempotent-repeat: keys drawn from ${REPEAT_KEYS} stored before the rounds: a KV get, the stored reply, no handler run`,
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
