import { hkdfSync } from "node:crypto";
import { ConfigError } from "../../errors/index.ts";
import type { ClusterConfig, FuseConfig } from "../../config/index.ts";
import { NAME, NAME_RULE } from "../../protocol/index.ts";
import type { RouteTlsFiles } from "./route-tls.ts";

/** What `fuse up` was told on its command line about this node. */
export interface ClusterFlags {
  /** `--node <name>`: this node's name, over `cluster.node`. */
  node?: string;
  /** `--join <seed>` (repeatable): route URLs of running nodes, added to `cluster.seeds`. */
  join?: string[];
}

/** One node's cluster settings, from `cluster:` and the flags, checked. */
export interface ClusterSettings {
  name: string;
  node: string;
  listenHost: string;
  listenPort: number;
  /** The address (host:port) other nodes reach this node's routes at, for `fuse nodes ls`. */
  address: string;
  /** Seeds as host:port, this node's own address left out. */
  seeds: string[];
  secret: string;
  /** Copies of every JetStream stream and bucket the hub makes. */
  replicas: number;
  /** Routes over TLS (hub/cluster/route-tls.ts). */
  tls: boolean;
}

const CONFIG_FILE = "config/fuse.yaml";
/** The route user every node knows; the secret is the password. */
export const ROUTE_USER = "fuse-route";

/**
 * Splits `host:port` at its last colon. The config's patterns keep colons out of hosts, so no
 * `[ipv6]` form is parsed: brackets stay in the host. Without a colon the whole text is the host
 * and the port is NaN.
 */
export function splitHostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(":");
  if (at < 0) return { host: address, port: Number.NaN };
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

function hostPort(seed: string): string {
  return seed.replace(/^(nats-route|nats):\/\//, "");
}

/** Joins `cluster:` with the flags; throws CONFIG_INVALID naming what is missing. */
export function clusterSettingsOf(config: FuseConfig, flags: ClusterFlags = {}): ClusterSettings | undefined {
  const cluster: ClusterConfig | undefined = config.cluster;
  if (!cluster) {
    if (flags.node || flags.join?.length) {
      throw new ConfigError(`${CONFIG_FILE} cluster: --node and --join need a cluster key (name and secret) in ${CONFIG_FILE}`, { location: { file: CONFIG_FILE, key: "cluster" } });
    }
    return undefined;
  }
  if (config.bus.url) {
    throw new ConfigError(`${CONFIG_FILE} bus.url: a cluster node runs its own nats-server, remove bus.url or cluster`, { location: { file: CONFIG_FILE, key: "bus.url" } });
  }
  const node = flags.node ?? cluster.node;
  if (!node) throw new ConfigError(`${CONFIG_FILE} cluster.node: expected this node's name, in the file or as fuse up --node <name>`, { location: { file: CONFIG_FILE, key: "cluster.node" } });
  if (!NAME.test(node)) throw new ConfigError(`--node: expected ${NAME_RULE}, got ${JSON.stringify(node)}`, { location: { file: CONFIG_FILE, key: "cluster.node" } });
  const { host: listenHost, port: listenPort } = splitHostPort(cluster.listen);
  const address = cluster.advertise ?? (listenHost === "0.0.0.0" ? undefined : cluster.listen);
  for (const seed of flags.join ?? []) {
    if (!/^((nats-route|nats):\/\/)?[^\s/:@]+:\d{1,5}$/.test(seed)) throw new ConfigError(`--join: expected host:port like 10.0.0.2:6222, got ${JSON.stringify(seed)}`, { location: { file: CONFIG_FILE, key: "cluster.seeds" } });
  }
  const seeds = [...new Set([...cluster.seeds, ...(flags.join ?? [])].map(hostPort))].filter((s) => s !== address && s !== cluster.listen);
  return {
    name: cluster.name,
    node,
    listenHost,
    listenPort,
    address: address ?? `${node}:${listenPort}`,
    seeds,
    secret: cluster.secret,
    replicas: cluster.replicas ?? Math.min(3, seeds.length + 1),
    tls: cluster.tls,
  };
}

/**
 * The part of nats-server's config that makes it a node: its JetStream server name, and the
 * cluster block with route authentication (every node knows the route user and the shared
 * secret; a route without them is refused). JSON, like the rest of the file.
 */
export function natsClusterConfig(settings: ClusterSettings, tls?: RouteTlsFiles): Record<string, unknown> {
  const secret = encodeURIComponent(settings.secret);
  return {
    server_name: settings.node,
    cluster: {
      name: settings.name,
      listen: `${settings.listenHost}:${settings.listenPort}`,
      ...(settings.address.startsWith(`${settings.node}:`) ? {} : { advertise: settings.address }),
      authorization: { user: ROUTE_USER, password: settings.secret, timeout: 2 },
      routes: settings.seeds.map((seed) => `nats-route://${ROUTE_USER}:${secret}@${seed}`),
      // Both ends present a certificate of the cluster's CA, and check the other's.
      ...(tls ? { tls: { cert_file: tls.certFile, key_file: tls.keyFile, ca_file: tls.caFile, verify: true, timeout: 3 } } : {}),
    },
  };
}

/**
 * The 32-byte seed of the principal key pair every node of the cluster shares (HKDF of the
 * cluster's secret): a token the gateway of one node signs is verified by actors on any node,
 * and no private key travels between hosts. Changing the secret changes the pair.
 */
export function principalSeed(settings: ClusterSettings): Uint8Array {
  return clusterKey(settings, "principal-signing-key");
}

/**
 * The 32-byte key the bus's operator and accounts derive from on every node (hub/servers/
 * bus-accounts.ts): routed messages stay in one account only when every node names the same.
 */
export function busKey(settings: ClusterSettings): Uint8Array {
  return clusterKey(settings, "bus-accounts");
}

/** The 32-byte seed of the routes' CA key (hub/cluster/route-tls.ts). */
export function routeCaSeed(settings: ClusterSettings): Uint8Array {
  return clusterKey(settings, "route-ca");
}

/** The 32-byte seed of the key pair whose tokens the cluster's one sqld accepts (security/database-auth.ts). */
export function databaseSeed(settings: ClusterSettings): Uint8Array {
  return clusterKey(settings, "database-token");
}

function clusterKey(settings: ClusterSettings, purpose: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", settings.secret, `fuse-cluster:${settings.name}`, purpose, 32));
}
