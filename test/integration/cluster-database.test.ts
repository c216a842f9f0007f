// Issue 14 points 8 and 11: a cluster's one database, and its routes over TLS. Two `fuse up` nodes on this machine (NATS routes on
// 127.0.0.1); `db: { node: a, address }` makes node a's hub run sqld on that address and every
// process of both nodes use it, with a token derived from the cluster's secret. Counted: rows
// written through both nodes' writers against rows found; a client without the token refused;
// node a lost outright: node b's database calls fail with NO_LIVE_INSTANCE (the second at once,
// not after the first's wait), its other endpoints keep answering, and once a is back every
// acknowledged row is there and b writes again.
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { connect as tlsConnect } from "node:tls";
import path from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FuseError } from "../../runtime/errors/index.ts";
import { ErrorCode } from "../../runtime/protocol/index.ts";
import { startTwoNodes, type TwoNodes } from "../helpers/cluster-nodes.ts";

let cluster: TwoNodes;
let dbAddress: string;

const tokenOf = (node: "a" | "b") => readFileSync(path.join(cluster.hub(node).dir, ".fuse/keys/db.token"), "utf8").trim();
let calls = 0;
// Each call its own tag: the table's (writer, seq) is unique.
const fill = (node: "a" | "b", n: number) => cluster.hub(node).call<{ inserted: number; pid: number }>("writer.fill", { n, tag: `call-${calls++}` }, { timeoutMs: 40_000 });

async function countRows(token: string): Promise<number> {
  const client = createClient({ url: `ws://${dbAddress}`, authToken: token });
  try {
    return Number((await client.execute("SELECT count(*) AS n FROM entries")).rows[0]!.n);
  } finally {
    client.close();
  }
}

describe("a cluster's one database on node a, used by every node", () => {
  beforeAll(async () => {
    // Each process also reads from an embedded replica on its own node (db.replica).
    cluster = await startTwoNodes({ writer: "writer", greeter: "whoami" }, { files: { "schemas/entries.json": "schemas/entries.json" }, db: "replica: true" });
    await cluster.oneOnEach("writer");
    await cluster.oneOnEach("greeter");
    dbAddress = /db: \{ node: a, address: "([^"]+)"/.exec(readFileSync(path.join(cluster.hub("a").dir, "config/fuse.yaml"), "utf8"))![1]!;
  }, 150_000);

  afterAll(() => cluster?.stop(), 60_000);

  it("runs sqld on node a alone, and gives both nodes' processes its address and a token file", async () => {
    const sqldOn = (node: "a" | "b") => cluster.hub(node).state.servicePids.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("sqld")).length;
    expect(sqldOn("a")).toBe(1);
    expect(sqldOn("b")).toBe(0);
    const writers = await cluster.pidsOf("writer");
    for (const node of ["a", "b"] as const) {
      const env = readFileSync(`/proc/${writers[node]![0]}/environ`, "utf8").split("\0");
      expect(env).toContain(`FUSE_DB_URL=ws://${dbAddress}`);
      // A path, never the token itself.
      expect(env).toContain(`FUSE_DB_TOKEN_FILE=${path.join(cluster.hub(node).dir, ".fuse/keys/db.token")}`);
      expect(env.join("\n")).not.toContain(tokenOf(node));
    }
  });

  it("keeps one set of rows: what both nodes' writers insert is all there, counted once", async () => {
    const writers = await cluster.pidsOf("writer");
    const answered = new Set<number>();
    let sent = 0;
    // Through each node's bus: the queue group spreads the calls over both instances.
    for (let i = 0; i < 20; i++) {
      const { inserted, pid } = await fill(i % 2 ? "b" : "a", 5);
      sent += inserted;
      answered.add(pid);
    }
    // Both nodes' instances wrote (20 calls all on one instance: about 2 in a million).
    expect([...answered].sort()).toEqual([writers.a![0], writers.b![0]].sort());
    expect(sent).toBe(100);
    // Each node's token is accepted, and both see the same 100 rows.
    expect(await countRows(tokenOf("a"))).toBe(100);
    expect(await countRows(tokenOf("b"))).toBe(100);
  });

  it("reads on each node from a replica on that node, which follows what the other node wrote", async () => {
    const { inserted } = await fill("a", 20);
    const tag = `call-${calls - 1}`;
    const seen: Record<string, { rows: number; localReads: number }> = {};
    // Through node b's bus and node a's (the queue group spreads them), until each node's writer
    // has read locally: a read goes to the primary until the replica has synced past its start.
    const readLocally = () => ["a", "b"].every((node) => (seen[node]?.localReads ?? 0) > 0);
    for (let i = 0; i < 200 && !readLocally(); i++) {
      const answer = await cluster.hub(i % 2 ? "b" : "a").call<{ rows: number; localReads: number; primaryReads: number; node: string }>("writer.count", { tag });
      seen[answer.node] = answer;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const node of ["a", "b"]) {
      expect(seen[node]?.rows).toBe(inserted);
      // Its reads are served from its own node's replica file, not only by the database's node.
      expect(seen[node]?.localReads).toBeGreaterThan(0);
      expect(readdirSync(path.join(cluster.hub(node as "a" | "b").dir, ".fuse/replicas")).some((f) => f.startsWith("writer"))).toBe(true);
    }
  });

  it("takes routes over TLS only, with a certificate of the CA both nodes derive from the secret", async () => {
    const routePort = Number(/listen: 127\.0\.0\.1:(\d+)/.exec(readFileSync(path.join(cluster.hub("a").dir, "config/fuse.yaml"), "utf8"))![1]);
    // The route port speaks TLS from the first byte, with a certificate of the cluster's CA.
    const issuer = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ port: routePort, host: "127.0.0.1", rejectUnauthorized: false }, () => {
        const cert = socket.getPeerCertificate();
        socket.destroy();
        resolve(String(cert.issuer?.CN));
      });
      socket.once("error", reject);
      socket.setTimeout(10_000, () => reject(new Error("no TLS handshake on the route port")));
    });
    expect(issuer).toBe("Fuse cluster routes CA");
    // Each node's certificate chains to the other node's CA certificate (made alike from the secret).
    const tlsOf = (node: "a" | "b", file: string) => path.join(cluster.hub(node).dir, ".fuse/nats/route-tls", file);
    const verified = spawnSync("openssl", ["verify", "-CAfile", tlsOf("a", "ca.pem"), tlsOf("b", "node.pem")], { encoding: "utf8" });
    expect(verified.stdout.trim()).toBe(`${tlsOf("b", "node.pem")}: OK`);
  });

  it("refuses a client without the token, or with a token not made from the cluster's secret", async () => {
    await expect(countRows("")).rejects.toThrow();
    const [head, body] = tokenOf("a").split(".");
    await expect(countRows(`${head}.${body}.${Buffer.alloc(64).toString("base64url")}`)).rejects.toThrow();
  });

  it("fails node b's database calls fast while node a is lost, keeps its other endpoints, and loses no acknowledged row", async () => {
    const before = await countRows(tokenOf("b"));
    await cluster.lose("a");
    // The first call waits out a short loss (a revived sqld), then says the database is down.
    const first = await fill("b", 1).then(() => undefined, (error: FuseError) => error);
    expect(first?.code).toBe(ErrorCode.NO_LIVE_INSTANCE);
    expect(first?.message).toMatch(/database server cannot be reached/);
    // The next fails at once, not after the same wait.
    const began = Date.now();
    const second = await fill("b", 1).then(() => undefined, (error: FuseError) => error);
    expect(second?.code).toBe(ErrorCode.NO_LIVE_INSTANCE);
    expect(Date.now() - began).toBeLessThan(5_000);
    // Node b's endpoints that need no database keep answering.
    expect(await cluster.hub("b").call("greeter.ping")).toEqual({ pong: true });

    await cluster.restart("a");
    await cluster.oneOnEach("writer");
    expect(await countRows(tokenOf("b"))).toBe(before);
    // Node b writes again once the database answers.
    const again = await fill("b", 3);
    expect(again.inserted).toBe(3);
    expect(await countRows(tokenOf("b"))).toBe(before + 3);
  }, 150_000);
});
