import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { connect } from "nats";
import { afterEach, describe, expect, it } from "vitest";
import { natsAuthenticator } from "../../runtime/bus/index.ts";
import { BusIdentities } from "../../runtime/hub/servers/bus-identities.ts";
import { natsStoreDir, startNatsServer, type NatsServerHandle } from "../../runtime/hub/servers/nats-server.ts";
import { deriveAccountKeys, jwtPermissions, loadOrCreateAccountKeys } from "../../runtime/hub/servers/bus-accounts.ts";
import { ANSWER_WITHIN, busPermissions } from "../../runtime/protocol/index.ts";

// The hub's bus in NATS operator mode: its keys, the rights inside each identity's JWT, and a
// JetStream store made before operator mode, which the hub's account takes over.
describe("bus accounts", () => {
  const dirs: string[] = [];
  const servers: NatsServerHandle[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-bus-accounts-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the hub's keys across runs in a 0600 file, and derives the same keys on every node of a cluster", () => {
    const file = path.join(tempDir(), "keys.json");
    const first = loadOrCreateAccountKeys(file);
    const again = loadOrCreateAccountKeys(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(again.account.getPublicKey()).toBe(first.account.getPublicKey());
    expect(again.operator.getPublicKey()).toBe(first.operator.getPublicKey());
    expect(first.account.getPublicKey()).toMatch(/^A[A-Z2-7]{55}$/);
    expect(first.operator.getPublicKey()).toMatch(/^O[A-Z2-7]{55}$/);

    const key = new Uint8Array(32).fill(7);
    const nodeA = deriveAccountKeys(key);
    const nodeB = deriveAccountKeys(new Uint8Array(key));
    const other = deriveAccountKeys(new Uint8Array(32).fill(8));
    expect(nodeB.account.getPublicKey()).toBe(nodeA.account.getPublicKey());
    expect(nodeB.system.getPublicKey()).toBe(nodeA.system.getPublicKey());
    expect(other.account.getPublicKey()).not.toBe(nodeA.account.getPublicKey());
    expect(nodeA.system.getPublicKey()).not.toBe(nodeA.account.getPublicKey());
  });

  it("stops with an error naming the keys file when it cannot be read, and what removing it costs", () => {
    const file = path.join(tempDir(), "keys.json");
    writeFileSync(file, "{ not json", { mode: 0o600 });
    expect(() => loadOrCreateAccountKeys(file)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringMatching(/keys\.json: the hub's bus keys cannot be read .*no longer finds its JetStream data/) }));
    expect(readFileSync(file, "utf8")).toBe("{ not json");
  });

  it("puts an identity's rights into its JWT as the server's config would have them", () => {
    const permissions = busPermissions({ name: "alpha", role: "actor" }, { prefix: "fuse", receipts: true });
    const inJwt = jwtPermissions(permissions);
    expect(ANSWER_WITHIN).toBe("24h");
    expect(inJwt.resp).toEqual({ max: 2, ttl: 24 * 3600 * 1e9 });
    expect(inJwt.pub?.allow).toEqual(permissions!.publish.allow);
    expect(inJwt.pub?.deny).toEqual(["fuse.hub.>", "$SRV.TRACES"]);
    expect(inJwt.sub?.allow).toEqual(permissions!.subscribe.allow);
    expect(jwtPermissions(undefined)).toEqual({});
  });

  it("refuses rights too large for a client to send when it connects, naming the identity", async () => {
    const dir = tempDir();
    const identities = await BusIdentities.open({ dir, storeDir: natsStoreDir(dir), prefix: "fuse" });
    const huge = { publish: { allow: Array.from({ length: 3000 }, (_, i) => `fuse.topic-${i}.>`) }, subscribe: { allow: ["_INBOX.big.>"] } };
    await expect(identities.ensure({ name: "big", role: "actor" }, huge)).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringMatching(/^big: its bus rights \(\d+ bytes as a NATS JWT\) exceed/),
    });
  });

  it("takes over the streams and buckets of a store made before operator mode: an upgraded hub loses no data", async () => {
    const dir = tempDir();
    // The store as an earlier Fuse left it: a server with users in its config keeps streams under `$G`.
    const before = await startNatsServer({ dir });
    servers.push(before);
    const old = await connect({ servers: before.url });
    const kv = await (await old.jetstream()).views.kv("kept");
    await kv.put("answer", "42");
    await old.close();
    await before.stop();
    servers.splice(0);

    const identities = await BusIdentities.open({ dir, storeDir: natsStoreDir(dir), prefix: "fuse" });
    const adminCreds = await identities.ensure({ name: "_admin", role: "owner" });
    const after = await startNatsServer({ dir, configFile: identities.configFile });
    servers.push(after);
    const nc = await connect({ servers: after.url, authenticator: natsAuthenticator(adminCreds) });
    try {
      const again = await (await nc.jetstream()).views.kv("kept");
      expect((await again.get("answer"))?.string()).toBe("42");
    } finally {
      await nc.close();
    }
    expect(readFileSync(adminCreds, "utf8")).toContain("-----BEGIN NATS USER JWT-----");
  });
});
