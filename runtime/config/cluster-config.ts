import { z } from "zod";
import { NAME, NAME_RULE } from "../protocol/index.ts";

/** `host:port` or `nats-route://host:port` (also `nats://`): where another node's nats-server takes routes. */
const SEED = /^((nats-route|nats):\/\/)?[^\s/:@]+:\d{1,5}$/;
/** `host:port`, `0.0.0.0:6222` included. */
const LISTEN = /^[^\s/:@]+:\d{1,5}$/;

/**
 * `cluster:` in fuse.yaml: this host is one node of a hub spread over several, its nats-server
 * routed to the others' (NATS clustering, JetStream clustered). Every node may share the same
 * file: the node's name and extra seeds can come from `fuse up --node <name> --join <seed>`.
 */
export const clusterConfigSchema = z
  .strictObject({
    /** The cluster's name: NATS refuses routes between servers of different cluster names. */
    name: z.string().regex(NAME, `expected ${NAME_RULE}`),
    /** This node's name (the JetStream server name); `fuse up --node` sets or overrides it. Unique in the cluster. */
    node: z.string().regex(NAME, `expected ${NAME_RULE}`).optional(),
    /** Where this node's nats-server takes routes from the other nodes. */
    listen: z.string().regex(LISTEN, "expected host:port like 0.0.0.0:6222").default("0.0.0.0:6222"),
    /** The address other nodes reach this node at (shown by `fuse nodes ls`); default the listen host when it is not 0.0.0.0. */
    advertise: z.string().optional(),
    /** Route URLs of other nodes (`host:6222` or `nats-route://host:6222`); listing this node's own address too is harmless. */
    seeds: z.array(z.string().regex(SEED, "expected host:port like 10.0.0.2:6222")).default([]),
    /**
     * The shared route secret every node must have: nodes without it cannot join. Put it by
     * reference, `${file:.fuse-cluster-secret}` or `${env:FUSE_CLUSTER_SECRET}`, never inline.
     */
    secret: z.string().min(16, "expected at least 16 characters (a random secret)"),
    /**
     * Routes over TLS, verified both ways against a CA every node derives from the secret (no
     * files to make). false: plain routes, still refused without the secret. Every node must agree.
     */
    tls: z.boolean().default(true),
    /** Copies of every JetStream stream and bucket. Default: min(3, number of nodes listed in seeds + this one). */
    replicas: z.number().int().min(1).max(5).optional(),
  });

export type ClusterConfig = z.output<typeof clusterConfigSchema>;
