import path from "node:path";
import { connect } from "nats";
import * as tar from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyDemoHub, hubNatsOptions, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

describe("the demo hub", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = copyDemoHub();
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("runs greeter (2 instances) and counter", async () => {
    const actors = await hub.list();
    expect(actors.find((a) => a.name === "greeter")).toMatchObject({ running: 2, status: "running" });
    expect(actors.find((a) => a.name === "counter")).toMatchObject({ running: 1, status: "running" });
  });

  it("shows a chained call whose trace id appears in both actors' logs", async () => {
    const call = await runCli(dir, ["call", "greeter.hello", '{"name":"Ada"}']);
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout)).toEqual({ greeting: "Hello, Ada!", visits: 1 });
    const traceId = /trace ([0-9a-f]{32})/.exec(call.stderr)![1]!;
    const lines = await waitFor("both actors to log the trace", async () => {
      const logs = await runCli(dir, ["logs", "--trace", traceId, "--json"]);
      const parsed = logs.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { actor: string; traceId: string; msg: string });
      return new Set(parsed.map((l) => l.actor)).size >= 2 ? parsed : undefined;
    });
    expect(lines.every((l) => l.traceId === traceId)).toBe(true);
    expect(lines.map((l) => `${l.actor}: ${l.msg}`)).toEqual(["counter: count incremented", "greeter: greeting sent"]);
  });

  it("shows an actor's readable log lines prefixed with its name", async () => {
    await hub.call("counter.increment", { key: "readable-logs" });
    const lines = await waitFor("the new line in fuse logs", async () => {
      const logs = await runCli(dir, ["logs", "counter", "-n", "5"]);
      const lines = logs.stdout.trim().split("\n");
      return logs.code === 0 && lines.some((l) => l.includes("count incremented") && l.includes("readable-logs")) ? lines : undefined;
    });
    expect(lines.length).toBeLessThanOrEqual(5);
    for (const line of lines) expect(line).toMatch(/^counter\s+│ \[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR)/);
  });

  it("follows new log lines with fuse logs -f", async () => {
    const { spawn } = await import("node:child_process");
    const follower = spawn(process.execPath, [`${process.cwd()}/bin/fuse.mjs`, "logs", "greeter", "-f", "-n", "0"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    follower.stdout.on("data", (d) => (out += d));
    try {
      await hub.call("greeter.hello", { name: "Grace" });
      await waitFor("the new line to be followed", () => out.includes("greeting sent") && out.includes("Grace"));
    } finally {
      follower.kill("SIGTERM");
    }
  });

  it("bundles every log file and a manifest into one compressed archive", async () => {
    const out = path.join(dir, "logs.tar.gz");
    const result = await runCli(dir, ["logs", "bundle", "-o", out]);
    expect(result.code).toBe(0);
    const entries: string[] = [];
    let manifest = "";
    await tar.t({
      file: out,
      onReadEntry: (entry) => {
        entries.push(entry.path);
        if (entry.path === "manifest.json") entry.on("data", (d: Buffer) => (manifest += d.toString()));
      },
    });
    expect(entries).toEqual(expect.arrayContaining(["manifest.json", "greeter.log", "counter.log", "hub.log"]));
    const parsed = JSON.parse(manifest) as { files: { name: string; bytes: number }[]; hub: { pid: number } };
    expect(parsed.hub.pid).toBe(hub.state.pid);
    expect(parsed.files.find((f) => f.name === "greeter.log")!.bytes).toBeGreaterThan(0);
  });

  it("lists and runs the demo task with fuse tasks, and shows its run", async () => {
    const ls = await runCli(dir, ["tasks", "ls", "--json"]);
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(ls.stdout))).toContain("welcome-team");
    const run = await runCli(dir, ["tasks", "run", "welcome-team", '{"team":"cli","members":["Ada","Grace"]}', "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(run.stdout) as { id: string; status: string; output: { greetings: string[] } };
    expect(record).toMatchObject({ status: "succeeded", output: { greetings: ["Hello, Ada!", "Hello, Grace!"] } });
    const status = await runCli(dir, ["tasks", "status", record.id]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain("succeeded");
    const runs = await runCli(dir, ["tasks", "runs", "--task", "welcome-team", "--json"]);
    expect((JSON.parse(runs.stdout) as { id: string }[]).map((r) => r.id)).toContain(record.id);
  });

  it("runs the shop over HTTP: sells what is in stock, refuses the rest with 409 OUT_OF_STOCK, and confirms orders placed while the mailer was down once it is back", async () => {
    const { gatewayUrl } = await hub.call<{ gatewayUrl: string }>("hub.info");
    const post = async (route: string, body: unknown) => {
      const res = await fetch(`${gatewayUrl}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await post("/api/shop/restock", { sku: "demo-tea", qty: 3 })).toEqual({ status: 200, body: { sku: "demo-tea", left: 3 } });
    await hub.call("hub.stop", { name: "mailer" });
    const sold = await post("/shop/orders", { sku: "demo-tea", qty: 2 });
    expect(sold).toMatchObject({ status: 200, body: { sku: "demo-tea", qty: 2 } });
    const refused = await post("/shop/orders", { sku: "demo-tea", qty: 2 });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: "OUT_OF_STOCK", message: "only 1 of demo-tea left", details: { sku: "demo-tea", left: 1 }, actor: "shop" } } });
    await hub.call("hub.start", { name: "mailer" });
    const { mails } = await waitFor("the mailer to confirm the order placed while it was stopped", async () => {
      const outbox = await hub.call<{ mails: { order: number; subject: string }[] }>("mailer.outbox").catch(() => ({ mails: [] }));
      return outbox.mails.some((m) => m.order === sold.body.id) ? outbox : undefined;
    }, 30_000);
    expect(mails.filter((m) => m.order === sold.body.id)).toEqual([{ order: sold.body.id, subject: `Order ${String(sold.body.id)}: 2 × demo-tea` }]);
  });

  it("answers a plain NATS client with the documented protocol", async () => {
    const nc = await connect(hubNatsOptions(hub.state));
    try {
      const reply = await nc.request("fuse.greeter.hello", JSON.stringify({ name: "Linus" }), { timeout: 5000 });
      expect(reply.json()).toEqual({ greeting: "Hello, Linus!", visits: 1 });
    } finally {
      await nc.close();
    }
  });
});
