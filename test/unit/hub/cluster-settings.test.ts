import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../runtime/config/index.ts";
import { clusterSettingsOf, natsClusterConfig, principalSeed } from "../../../runtime/hub/cluster/cluster-settings.ts";

const SECRET = "0123456789abcdef0123";
const yaml = (cluster: string) => `cluster:\n${cluster}`;

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
});
