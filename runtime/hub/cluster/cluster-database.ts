import type { FuseConfig } from "../../config/index.ts";
import { splitHostPort, type ClusterSettings } from "./cluster-settings.ts";

/**
 * Where a cluster's one database is (`db.node`, `db.address`): the hub of that node runs sqld
 * on the address, and every node's processes use it there, with a token (hub/servers/
 * start-servers.ts). One database for every node, since nodes that each kept their own would
 * each see other data.
 */
export interface ClusterDatabase {
  /** The node that runs it. */
  node: string;
  /** This node runs it. */
  runsHere: boolean;
  host: string;
  port: number;
}

/** The cluster's database as the config places it; none on one machine or with `db.url`. */
export function clusterDatabaseOf(config: FuseConfig, settings: ClusterSettings | undefined): ClusterDatabase | undefined {
  const { node, address } = config.db;
  if (!settings || !node || !address) return undefined;
  return { node, runsHere: node === settings.node, ...splitHostPort(address) };
}
