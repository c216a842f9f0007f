// Inserts/s and point reads/s from 4 worker processes (actors, run as the hub runs them)
// through these paths to one `entries` table: ctx.db to sqld over a WebSocket (as the hub
// connects actors), @libsql/client used directly on the same sqld, and the `libsql` package
// embedded, all 4 processes opening one file (WAL, busy_timeout, sqld's `synchronous`).
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { NatsTransport, callEndpoint, connectNats } from "../runtime/bus/index.ts";
import { Header, ProcessEnv, endpointSubject } from "../runtime/protocol/index.ts";
import { Database, loadTableSchemas, migrate } from "../runtime/table/index.ts";
import { DbStore, type DbStoreKind } from "./db/entry-stores.ts";
import { BENCH_DIR, ready, startActorBundle, type BenchProcess } from "./lib/processes.ts";
import { roundsReport, type Comparison, type Metric } from "./lib/ratios.ts";
import type { BenchReport } from "./lib/report.ts";
import { runRounds, type RoundSystem } from "./lib/rounds.ts";
import { envNumber, settings } from "./lib/settings.ts";
import { startBenchSqld } from "./lib/sqld.ts";
import { actorEnv, withNatsServer, type NatsBench } from "./lib/with-nats.ts";

const N = Math.round(envNumber("BENCH_DB_N", 1000, 1));
const WORKERS = 4;

interface DbResult {
  insertsPerS: number;
  readsPerS: number;
  /** Operations per second of 9 point reads to 1 insert. */
  mixPerS: number;
  /** The slowest of the 4 workers' p99 of a point read, in microseconds. */
  readP99Us: number;
}

const METRICS: Metric<DbResult>[] = [
  { name: "inserts/s", value: (r) => r.insertsPerS },
  { name: "point reads/s", value: (r) => r.readsPerS },
  { name: "90/10 mix ops/s", value: (r) => r.mixPerS },
  { name: "read p99 us", value: (r) => r.readP99Us },
];

const COMPARISONS: Comparison[] = [
  { label: "ctx.db replica / libsql embedded", system: DbStore.replica, baseline: DbStore.embedded },
  { label: "ctx.db replica tmpfs / libsql embedded", system: DbStore.replicaRam, baseline: DbStore.embedded },
  { label: "ctx.db replica / ctx.db", system: DbStore.replica, baseline: DbStore.fuse },
  { label: "ctx.db / libsql embedded", system: DbStore.fuse, baseline: DbStore.embedded },
  { label: "ctx.db / @libsql/client on sqld", system: DbStore.fuse, baseline: DbStore.client },
  { label: "@libsql/client on sqld / libsql embedded", system: DbStore.client, baseline: DbStore.embedded },
];

/** The table as the hub would make it from schemas/entries.json, in sqld and in the file. */
async function prepareDatabases(dir: string, sqldUrl: string, file: string): Promise<void> {
  mkdirSync(path.join(dir, "schemas"));
  cpSync(path.join(BENCH_DIR, "../test/fixtures/schemas/entries.json"), path.join(dir, "schemas/entries.json"));
  const tables = [...loadTableSchemas(dir).tables.values()];
  for (const url of [sqldUrl, `file:${file}`]) {
    const db = new Database({ url });
    await migrate(db.executor(), tables);
    db.close();
  }
}

/** One statement on a connection of its own; a database that does not answer in a minute fails the run. */
async function sqlOnce<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const db = new Database({ url });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${sql} on ${url}: no answer within 60 s`)), 60_000)));
  try {
    return await Promise.race([db.sql<T>(sql), late]);
  } finally {
    clearTimeout(timer);
    db.close();
  }
}

interface DbSetup extends NatsBench {
  transport: NatsTransport;
  workerEnv: Record<string, string>;
  urlOf: Record<DbStoreKind, string>;
  /** The replica folder of the systems that read from one. */
  replicaDirOf: Partial<Record<DbStoreKind, string>>;
  /** Each store's PRAGMAs as its first worker saw them, for the report. */
  pragmas: Map<DbStoreKind, unknown>;
}

/** A call with a deadline of its own: without one an endpoint gives up after the default 10 s. */
function call(setup: DbSetup, actor: string, endpoint: string, input: unknown): Promise<unknown> {
  const target = { subject: endpointSubject("fuse", actor, endpoint), actor, endpoint };
  const timeoutMs = 600_000;
  return callEndpoint(setup.transport, target, input, { headers: { [Header.deadline]: String(Date.now() + timeoutMs) }, timeoutMs });
}

/** 4 workers start `work` at once; resolves with operations per second over all 4. */
async function together(work: (worker: string, i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: WORKERS }, (_, i) => work(`dbworker${i}`, i)));
  return (N * WORKERS) / ((performance.now() - started) / 1000);
}

function roundSystem(kind: DbStoreKind, setup: DbSetup): RoundSystem<DbResult> {
  return {
    id: kind,
    async measure() {
      // Every run starts from an empty table, and so from id 1.
      await sqlOnce(setup.urlOf[kind], "DELETE FROM entries");
      const workers: BenchProcess[] = [];
      try {
        const env: Record<string, string> = { ...setup.workerEnv, BENCH_DB_STORE: kind };
        if (setup.replicaDirOf[kind]) env[ProcessEnv.dbReplica] = setup.replicaDirOf[kind];
        const start = (i: number) => startActorBundle(`dbworker${i}`, "db/db-worker.ts", actorEnv(`dbworker${i}`, setup.natsUrl, env), setup.buildDir);
        const starting = await Promise.allSettled(Array.from({ length: WORKERS }, (_, i) => ready(start(i), /"msg":"actor started"/)));
        for (const s of starting) if (s.status === "fulfilled") workers.push(s.value);
        for (const s of starting) if (s.status === "rejected") throw s.reason;
        if (!setup.pragmas.has(kind)) setup.pragmas.set(kind, await call(setup, "dbworker0", "pragmas", {}));
        const insertsPerS = await together((w, i) => call(setup, w, "insert", { n: N, writer: `w${i}` }));
        // A replica reads what it has copied: the reads are timed once every worker's has the inserts.
        if (setup.replicaDirOf[kind]) await Promise.all(Array.from({ length: WORKERS }, (_, i) => call(setup, `dbworker${i}`, "settle", {})));
        const reads: { found: number; p99Us: number }[] = [];
        const readsPerS = await together(async (w) => reads.push((await call(setup, w, "read", { n: N, maxId: N * WORKERS })) as { found: number; p99Us: number }));
        const found = reads.reduce((sum, r) => sum + r.found, 0);
        const mixes: { found: number; reads: number }[] = [];
        const mixPerS = await together(async (w, i) => mixes.push((await call(setup, w, "mix", { n: N, maxId: N * WORKERS, writer: `m${i}` })) as { found: number; reads: number }));
        const mixMissed = mixes.reduce((sum, r) => sum + r.reads - r.found, 0);
        const failure =
          found !== N * WORKERS ? `${N * WORKERS - found} of ${N * WORKERS} point reads found no row` : mixMissed > 0 ? `${mixMissed} reads of the 90/10 mix found no row` : undefined;
        return { metrics: { insertsPerS, readsPerS, mixPerS, readP99Us: Math.max(...reads.map((r) => r.p99Us)) }, failure };
      } finally {
        for (const w of workers) await w.stop();
      }
    },
  };
}

export function runDbBench(): Promise<BenchReport> {
  return withNatsServer("db", async (bench) => {
    const sqld = await startBenchSqld(path.join(bench.dir, "sqld"));
    const transport = new NatsTransport(await connectNats({ url: bench.natsUrl, name: "dbbench" }));
    let cleanupRam = () => {};
    try {
      const file = path.join(bench.dir, "embedded.db");
      await prepareDatabases(bench.dir, sqld.url, file);
      const [sqldPragmas] = await sqlOnce<{ synchronous: number }>(sqld.url, "PRAGMA synchronous");
      const wsUrl = sqld.url.replace("http:", "ws:");
      const workerEnv = {
        // As the hub gives it to actors: a WebSocket to sqld, and the folder of the schemas.
        [ProcessEnv.dbUrl]: wsUrl,
        [ProcessEnv.hubDir]: bench.dir,
        BENCH_DB_URL: wsUrl,
        BENCH_DB_FILE: file,
        BENCH_DB_SYNCHRONOUS: String(sqldPragmas!.synchronous),
      };
      const ramDir = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/fuse-bench-replicas-") : path.join(bench.dir, "replicas-ram");
      cleanupRam = () => rmSync(ramDir, { recursive: true, force: true });
      const setup: DbSetup = {
        ...bench,
        transport,
        workerEnv,
        urlOf: { [DbStore.fuse]: sqld.url, [DbStore.replica]: sqld.url, [DbStore.replicaRam]: sqld.url, [DbStore.client]: sqld.url, [DbStore.embedded]: `file:${file}` },
        replicaDirOf: { [DbStore.replica]: path.join(bench.dir, ".fuse/replicas"), [DbStore.replicaRam]: ramDir },
        pragmas: new Map(),
      };
      const kinds = (process.env.BENCH_DB_SYSTEMS?.split(",") as DbStoreKind[] | undefined) ?? [DbStore.fuse, DbStore.replica, DbStore.replicaRam, DbStore.client, DbStore.embedded];
      const runs = await runRounds(kinds.map((k) => roundSystem(k, setup)), {
        bench: "db",
        describe: (r) => `${Math.round(r.insertsPerS)} inserts/s, ${Math.round(r.readsPerS)} point reads/s (p99 ${Math.round(r.readP99Us)} us), ${Math.round(r.mixPerS)} mix ops/s`,
      });
      return roundsReport(runs, {
        bench: "db",
        settings: { rounds: settings.rounds, workers: WORKERS, rows_per_worker: N, pause_s: settings.pauseMs / 1000 },
        systems: kinds,
        metrics: METRICS,
        comparisons: COMPARISONS,
        notes: [...setup.pragmas].map(([kind, pragmas]) => `${kind} connection settings: ${JSON.stringify(pragmas)}`),
      });
    } finally {
      cleanupRam();
      await transport.close();
      await sqld.stop();
    }
  });
}
