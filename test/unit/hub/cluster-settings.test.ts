import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../runtime/config/index.ts";
import { clusterSettingsOf, databaseSeed, natsClusterConfig, principalSeed, routeCaSeed, splitHostPort } from "../../../runtime/hub/cluster/cluster-settings.ts";
import { clusterDatabaseOf } from "../../../runtime/hub/cluster/cluster-database.ts";

const SECRET = "0123456789abcdef0123";
// Every cluster needs one database: node a runs it.
const yaml = (cluster: string) => `cluster:\n${cluster}db: { node: a, address: "10.0.0.1:8081" }\n`;

describe("cluster config", () => {
  it("is absent by default, and a hub without it is no cluster node", () => {
    const config = parseConfig("{}\n", "config/fuse.yaml");
    expect(config.cluster).toBeUndefined();
    expect(clusterSettingsOf(config)).toBeUndefined();
  });

  it("takes name, node, listen and seeds, and leaves this node's own address out of its routes", () => {
    const config = parseConfig(yaml(`  name: prod\n  node: a\n  listen: 10.0.0.1:6222\n  seeds: [10.0.0.1:6222, nats-route://10.0.0.2:6222, 10.0.0.3:6222]\n  secret: ${SECRET}\n`), "config/fuse.yaml");
    const settings = clusterSettingsOf(config)!;
    expect(settings).toMatchObject({ name: "prod", node: "a", address: "10.0.0.1:6222", seeds: ["10.0.0.2:6222", "10.0.0.3:6222"], replicas: 3 });
    expect(natsClusterConfig(settings)).toEqual({
      server_name: "a",
      cluster: {
        name: "prod",
        listen: "10.0.0.1:6222",
        advertise: "10.0.0.1:6222",
        authorization: { user: "fuse-route", password: SECRET, timeout: 2 },
        routes: [`nats-route://fuse-route:${SECRET}@10.0.0.2:6222`, `nats-route://fuse-route:${SECRET}@10.0.0.3:6222`],
      },
    });
  });

  it("takes the node name and more seeds from fuse up --node and --join; replicas follow the nodes it knows of", () => {
    const config = parseConfig(yaml(`  name: prod\n  secret: ${SECRET}\n`), "config/fuse.yaml");
    const settings = clusterSettingsOf(config, { node: "b", join: ["10.0.0.1:6222"] })!;
    expect(settings).toMatchObject({ node: "b", listenHost: "0.0.0.0", listenPort: 6222, seeds: ["10.0.0.1:6222"], replicas: 2 });
  });

  it("names the file, line and key of a bad value", () => {
    expect(() => parseConfig(yaml(`  name: prod\n  secret: short\n`), "config/fuse.yaml")).toThrowErrorMatchingInlineSnapshot(`[ConfigError: config/fuse.yaml:3 cluster.secret: expected at least 16 characters (a random secret), got "short"]`);
    expect(() => parseConfig(yaml(`  name: prod\n  secret: ${SECRET}\n  seeds: [10.0.0.2]\n`), "config/fuse.yaml")).toThrowErrorMatchingInlineSnapshot(`[ConfigError: config/fuse.yaml:4 cluster.seeds[0]: expected host:port like 10.0.0.2:6222, got "10.0.0.2"]`);
    expect(() => parseConfig(yaml(`  name: prod\n  secret: ${SECRET}\n  sedes: []\n`), "config/fuse.yaml")).toThrowErrorMatchingInlineSnapshot(`[ConfigError: config/fuse.yaml:4 cluster.sedes: unknown key, did you mean "seeds"?]`);
  });

  it("refuses a node without a name, --join without a cluster key, and a cluster on an outside bus", () => {
    const noNode = parseConfig(yaml(`  name: prod\n  secret: ${SECRET}\n`), "config/fuse.yaml");
    expect(() => clusterSettingsOf(noNode)).toThrowErrorMatchingInlineSnapshot(`[ConfigError: config/fuse.yaml cluster.node: expected this node's name, in the file or as fuse up --node <name>]`);
    expect(() => clusterSettingsOf(parseConfig("{}\n", "config/fuse.yaml"), { join: ["10.0.0.1:6222"] })).toThrow(/--node and --join need a cluster key/);
    const outside = parseConfig(`bus: { url: "nats://10.0.0.9:4222" }\n${yaml(`  name: prod\n  node: a\n  secret: ${SECRET}\n`)}`, "config/fuse.yaml");
    expect(() => clusterSettingsOf(outside)).toThrow(/a cluster node runs its own nats-server/);
  });

  it("derives one principal key seed per cluster secret, the same on every node", () => {
    const config = parseConfig(yaml(`  name: prod\n  secret: ${SECRET}\n`), "config/fuse.yaml");
    const a = principalSeed(clusterSettingsOf(config, { node: "a" })!);
    const b = principalSeed(clusterSettingsOf(config, { node: "b" })!);
    expect(a).toHaveLength(32);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const other = parseConfig(yaml(`  name: prod\n  secret: ${SECRET}x\n`), "config/fuse.yaml");
    expect(Buffer.from(principalSeed(clusterSettingsOf(other, { node: "a" })!)).equals(Buffer.from(a))).toBe(false);
  });

  it("places a cluster's one database: db.node and db.address, or db.url, and refuses a cluster with neither", () => {
    const base = `cluster:\n  name: prod\n  node: b\n  secret: ${SECRET}\n`;
    const config = parseConfig(`${base}db: { node: a, address: "10.0.0.1:8081" }\n`, "config/fuse.yaml");
    expect(clusterDatabaseOf(config, clusterSettingsOf(config))).toEqual({ node: "a", runsHere: false, host: "10.0.0.1", port: 8081 });
    const onA = parseConfig(`${base}db: { node: a, address: "10.0.0.1:8081" }\n`, "config/fuse.yaml");
    expect(clusterDatabaseOf(onA, clusterSettingsOf(onA, { node: "a" }))?.runsHere).toBe(true);
    // An outside server instead: no database of the hub's.
    const outside = parseConfig(`${base}db: { url: "ws://10.0.0.9:8080" }\n`, "config/fuse.yaml");
    expect(clusterDatabaseOf(outside, clusterSettingsOf(outside))).toBeUndefined();
    expect(() => parseConfig(base, "config/fuse.yaml")).toThrowErrorMatchingInlineSnapshot(`[ConfigError: config/fuse.yaml:1 db: expected db.node and db.address (the node whose hub runs sqld for every node) or db.url (an outside libSQL server): a cluster shares one database, got nothing]`);
    expect(() => parseConfig(`${base}db: { node: a }\n`, "config/fuse.yaml")).toThrow(/db\.address: expected db\.address/);
    expect(() => parseConfig(`${base}db: { node: a, address: "10.0.0.1:8081", url: "ws://x:1" }\n`, "config/fuse.yaml")).toThrow(/db\.node: expected db\.node or db\.url, not both/);
    expect(() => parseConfig(`${base}db: { node: a, address: "10.0.0.1" }\n`, "config/fuse.yaml")).toThrow(/db\.address: expected host:port/);
    expect(() => parseConfig(`db: { node: a, address: "10.0.0.1:8081" }\n`, "config/fuse.yaml")).toThrow(/db\.node: expected cluster with db\.node/);
  });

  it("derives one database key seed per cluster secret, apart from the principals' seed", () => {
    const settingsOf = (secret: string) => clusterSettingsOf(parseConfig(yaml(`  name: prod\n  node: a\n  secret: ${secret}\n`), "config/fuse.yaml"))!;
    expect(databaseSeed(settingsOf(SECRET))).toEqual(databaseSeed(settingsOf(SECRET)));
    expect(databaseSeed(settingsOf(SECRET))).not.toEqual(databaseSeed(settingsOf(`${SECRET}x`)));
    expect(databaseSeed(settingsOf(SECRET))).not.toEqual(principalSeed(settingsOf(SECRET)));
  });

  it("puts the routes under TLS by default, verified both ways, and leaves them plain with tls: false", () => {
    const on = clusterSettingsOf(parseConfig(yaml(`  name: prod\n  node: a\n  secret: ${SECRET}\n`), "config/fuse.yaml"))!;
    expect(on.tls).toBe(true);
    const files = { caFile: "/x/ca.pem", certFile: "/x/node.pem", keyFile: "/x/node-key.pem" };
    expect((natsClusterConfig(on, files).cluster as Record<string, unknown>).tls).toEqual({ cert_file: "/x/node.pem", key_file: "/x/node-key.pem", ca_file: "/x/ca.pem", verify: true, timeout: 3 });
    const off = clusterSettingsOf(parseConfig(yaml(`  name: prod\n  node: a\n  secret: ${SECRET}\n  tls: false\n`), "config/fuse.yaml"))!;
    expect(off.tls).toBe(false);
    expect(routeCaSeed(on)).not.toEqual(databaseSeed(on));
  });
});

describe("splitHostPort", () => {
  it("splits host:port at the last colon into the host and a numeric port", () => {
    expect(splitHostPort("10.0.0.1:8081")).toEqual({ host: "10.0.0.1", port: 8081 });
    expect(splitHostPort("node-a:6222")).toEqual({ host: "node-a", port: 6222 });
    expect(splitHostPort("0.0.0.0:6222")).toEqual({ host: "0.0.0.0", port: 6222 });
  });

  it("keeps the brackets of an [ipv6]:port host, and takes text without a colon as a host with no port", () => {
    expect(splitHostPort("[::1]:6222")).toEqual({ host: "[::1]", port: 6222 });
    expect(splitHostPort("10.0.0.5")).toEqual({ host: "10.0.0.5", port: Number.NaN });
  });
});
