// `fuse setup` (issue 14, the Kubernetes set-up Job): with no hub running, it makes on a real
// nats-server and a real sqld what `fuse up` makes before actors start: the event stream, each
// actor's buckets (its own and the ones its definition declares) and the tables of schemas/.
// Run again, it changes nothing; without a bus it says which variable to set.
import { spawn } from "node:child_process";
import path from "node:path";
import { connect, type NatsConnection } from "nats";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessEnv } from "../../runtime/protocol/index.ts";
import { REPO, createHubDir, freshPrefix, removeHubDir, startNats, startSqld, type NatsHarness, type SqldHarness } from "../helpers/index.ts";

const FUSE = path.join(REPO, "bin/fuse.mjs");

function fuseSetup(dir: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FUSE, "setup", "--json"], { cwd: dir, env: { ...process.env, NO_COLOR: "1", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

let nats: NatsHarness;
let sqld: SqldHarness;
let dir: string;
let nc: NatsConnection;
const prefix = freshPrefix();

describe("fuse setup, without a hub", () => {
  beforeAll(async () => {
    [nats, sqld] = await Promise.all([startNats(), startSqld()]);
    nc = await connect({ servers: nats.url });
    dir = createHubDir({ config: `prefix: ${prefix}\n`, actors: { stocker: "bucket-user" }, files: { "schemas/entries.json": "schemas/entries.json" } });
  }, 60_000);

  afterAll(async () => {
    await nc?.close();
    await Promise.all([nats?.stop(), sqld?.stop()]);
    if (dir) removeHubDir(dir);
  });

  it("makes the event stream, every actor's buckets and the tables, and again changes nothing", async () => {
    const env = { [ProcessEnv.natsUrl]: nats.url, [ProcessEnv.dbUrl]: sqld.url, [ProcessEnv.prefix]: prefix };
    const first = await fuseSetup(dir, env);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as { stream: string; buckets: string[]; tables: string[] };
    expect(report.tables).toEqual(["entries"]);
    // The declared ones (shared-stock, short-lived with its TTL, shared-docs) and the actors' own.
    expect(report.buckets).toEqual(expect.arrayContaining([`${prefix}-kv-stocker`, `${prefix}-files-stocker`, "shared-stock", "short-lived", "shared-docs", `${prefix}-files-taskmaster`]));
    const jsm = await nc.jetstreamManager();
    const streams = new Set<string>();
    for await (const s of jsm.streams.list()) streams.add(s.config.name);
    expect(streams.has(report.stream)).toBe(true);
    for (const bucket of report.buckets) expect(streams.has(`KV_${bucket}`) || streams.has(`OBJ_${bucket}`), bucket).toBe(true);
    expect((await jsm.streams.info("KV_short-lived")).config.max_age).toBe(60_000 * 1_000_000);
    const db = createClient({ url: sqld.url });
    try {
      await db.execute("INSERT INTO entries (writer, seq) VALUES ('setup', 1)");
      // Again: the same report, nothing made twice, the row kept.
      const second = await fuseSetup(dir, env);
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(second.stdout)).toEqual(report);
      expect(Number((await db.execute("SELECT count(*) AS n FROM entries")).rows[0]!.n)).toBe(1);
    } finally {
      db.close();
    }
  });

  it("names the variable to set when no bus is given", async () => {
    const result = await fuseSetup(dir, { [ProcessEnv.natsUrl]: "" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(ProcessEnv.natsUrl);
  });
});
