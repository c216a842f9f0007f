// Inserts/s and point reads/s through ctx.db from 4 actor processes (sqld over a WebSocket, as the hub connects actors), against
// one process using embedded libSQL directly, in one run.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Libsql from "libsql";
import { NatsTransport, callEndpoint, connectNats } from "../runtime/bus/index.ts";
import { startNatsServer } from "../runtime/hub/index.ts";
import { startSqld } from "../runtime/hub/services/sqld.ts";
import { ProcessEnv, endpointSubject } from "../runtime/protocol/index.ts";
import { Database, loadTableSchemas, migrate } from "../runtime/table/index.ts";
import { BENCH_DIR, startScript, type BenchProcess } from "./lib/processes.ts";
import { ratio } from "./lib/stats.ts";

const N = Number(process.env.BENCH_DB_N ?? 1000);
const PROCS = 4;

function embedded(dir: string): { insertsPerS: number; readsPerS: number } {
  const db = new Libsql(path.join(dir, "embedded.db"));
  db.exec("PRAGMA journal_mode = WAL");
  db.exec('CREATE TABLE entries ("id" INTEGER PRIMARY KEY, "writer" TEXT NOT NULL, "seq" INTEGER NOT NULL)');
  const insert = db.prepare("INSERT INTO entries (writer, seq) VALUES (?, ?) RETURNING *");
  let t = performance.now();
  for (let i = 0; i < N * PROCS; i++) insert.get("w", i);
  const insertsPerS = (N * PROCS) / ((performance.now() - t) / 1000);
  const get = db.prepare("SELECT * FROM entries WHERE id = ? LIMIT 1");
  t = performance.now();
  for (let i = 0; i < N * PROCS; i++) get.get(1 + ((i * 7919) % (N * PROCS)));
  const readsPerS = (N * PROCS) / ((performance.now() - t) / 1000);
  db.close();
  return { insertsPerS, readsPerS };
}

export async function runDbBench() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-dbbench-"));
  mkdirSync(path.join(dir, "schemas"));
  cpSync(path.join(BENCH_DIR, "../test/fixtures/schemas/entries.json"), path.join(dir, "schemas/entries.json"));
  const base = embedded(dir);
  const nats = await startNatsServer({ dir: path.join(dir, "nats") });
  const sqld = await startSqld({ dir: path.join(dir, "sqld") });
  const procs: BenchProcess[] = [];
  let client: NatsTransport | undefined;
  try {
    const db = new Database({ url: sqld.url });
    await migrate(db.executor(), [...loadTableSchemas(dir).tables.values()]);
    db.close();
    for (let i = 0; i < PROCS; i++) {
      const p = startScript("../runtime/sdk/process/actor-process.ts", {
        [ProcessEnv.actor]: "dbbench",
        [ProcessEnv.module]: path.join(BENCH_DIR, "db/bench-db-actor.ts"),
        [ProcessEnv.natsUrl]: nats.url,
        // As the hub gives it to actors: a WebSocket to sqld.
        [ProcessEnv.dbUrl]: sqld.url.replace("http:", "ws:"),
        [ProcessEnv.hubDir]: dir,
        [ProcessEnv.instance]: String(i),
      });
      procs.push(p);
      await p.waitForLine(/"msg":"actor started"/);
    }
    client = new NatsTransport(await connectNats({ url: nats.url, name: "dbbench" }));
    const call = (endpoint: string, input: unknown) =>
      callEndpoint(client!, { subject: endpointSubject("fuse", "dbbench", endpoint), actor: "dbbench", endpoint }, input, { headers: {}, timeoutMs: 600_000 });
    // One call per process: the queue group spreads them; each reports its own time.
    let t = performance.now();
    await Promise.all(Array.from({ length: PROCS }, (_, i) => call("insert", { n: N, writer: `w${i}` })));
    const insertsPerS = (N * PROCS) / ((performance.now() - t) / 1000);
    t = performance.now();
    await Promise.all(Array.from({ length: PROCS }, () => call("read", { n: N, maxId: N * PROCS })));
    const readsPerS = (N * PROCS) / ((performance.now() - t) / 1000);
    const rows = [
      { system: "embedded libSQL, 1 process", inserts_per_s: Math.round(base.insertsPerS), point_reads_per_s: Math.round(base.readsPerS) },
      { system: `ctx.db → sqld, ${PROCS} processes`, inserts_per_s: Math.round(insertsPerS), point_reads_per_s: Math.round(readsPerS) },
    ];
    return {
      rows,
      summary: [
        `ctx.db (4 processes, sqld over WebSocket) / embedded libSQL (1 process), inserts/s: ${ratio(insertsPerS, base.insertsPerS)}`,
        `ctx.db (4 processes, sqld over WebSocket) / embedded libSQL (1 process), point reads/s: ${ratio(readsPerS, base.readsPerS)}`,
      ],
    };
  } finally {
    await client?.close();
    for (const p of procs) await p.stop();
    await sqld.stop();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
