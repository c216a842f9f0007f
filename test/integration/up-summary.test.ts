import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, REPO, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const SDK = path.join(REPO, "runtime/sdk/index.ts");

function write(dir: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

const actor = (name: string, endpoint: string, before = "") =>
  [
    `import { defineActor, defineEndpoint, z } from ${JSON.stringify(SDK)};`,
    before,
    `export default defineActor({ name: "${name}", endpoints: { ${JSON.stringify(endpoint)}: defineEndpoint({ input: z.object({}), output: z.object({ ok: z.boolean() }), handler: () => ({ ok: true }) }) } });`,
  ].join("\n");

describe("fuse up with actors that cannot start", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = createHubDir({ config: "logging:\n  level: warn\n" });
    write(dir, "actors/good/index.ts", actor("good", "ping"));
    write(dir, "actors/orders/index.ts", actor("orders", "addLine"));
    write(dir, "actors/typo/index.ts", actor("typo", "ping", "const broken = ;"));
    hub = await startHub(dir, ["--quiet"]);
    await waitFor("the summary", () => hub.output().includes("Stop with Ctrl-C"), 60_000);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("names each failed actor with its reason in the summary, and says the hub is ready with them failed", () => {
    const summary = hub.output();
    expect(summary).toMatch(/Fuse hub ready in \d+ ms with 2 actor\(s\) failed/);
    expect(summary).toMatch(/^orders +0\/1 +failed/m);
    expect(summary).toMatch(/^typo +0\/1 +failed/m);
    expect(summary).toMatch(/^good +1\/1 +running/m);
    // "(retrying)" while the hub still revives it with backoff; a slow machine may already show it given up.
    const reasons = summary.split("\n").filter((l) => l.startsWith("✗")).map((l) => l.replace(" (retrying)", ""));
    expect(reasons.sort()).toEqual([
      '✗ orders failed: exited with code 1: CONFIG_INVALID: actor "orders" endpoint "addLine": name must be lowercase letters, digits and dashes, starting with a letter (did you mean "add-line"?)',
      '✗ typo failed: actors/typo/index.ts:2: actor "typo" does not compile: Unexpected ";"',
    ]);
  });

  it("keeps the other actors serving", async () => {
    expect(await hub.call("good.ping", {})).toEqual({ ok: true });
  });

  it("answers a call to an unknown actor with ACTOR_NOT_FOUND from the CLI, as the gateway does over HTTP", async () => {
    const cli = await runCli(dir, ["call", "nope.x", "{}"]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('error: no actor "nope" on this hub (actors: db, gateway, good, orders, taskmaster, typo) [ACTOR_NOT_FOUND]');
    const { gatewayUrl } = await hub.call<{ gatewayUrl?: string }>("hub.info");
    const response = await fetch(`${gatewayUrl}/api/nope/x`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("ACTOR_NOT_FOUND");
  });

  it("answers a call to an actor that failed to start with NO_LIVE_INSTANCE and its last exit", async () => {
    const cli = await runCli(dir, ["call", "typo.ping", "{}"]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('error: no live instance of actor "typo": it is ');
    expect(cli.stderr).toContain('last exit: actors/typo/index.ts:2: actor "typo" does not compile: Unexpected ";" [NO_LIVE_INSTANCE]');
  });
});
