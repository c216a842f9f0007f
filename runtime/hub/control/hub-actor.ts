import { defineActor, defineEndpoint } from "../../sdk/internal.ts";
import { BuiltinActor, hubContract, type ActorStatus, type HubInfo, type ScheduleStatus } from "../../protocol/index.ts";
import type { Supervisor } from "../supervision/supervisor.ts";
import type { EndpointTotals } from "../supervision/actor-group.ts";
import type { KeyedKeys } from "./keyed-keys.ts";
import { notClustered, type NodeControl } from "./node-control.ts";

export interface HubActorDeps {
  supervisor: Supervisor;
  schedules(): ScheduleStatus[];
  info(): HubInfo;
  stats(): Promise<Map<string, EndpointTotals>>;
  recentLogs(name: string, lines: number): string[];
  shutdown(): void;
  /** Asks a keyed actor's instances for their keys. */
  keyed: KeyedKeys;
  /** On a cluster node: other nodes' hubs, for `node`-scoped control and the cluster-wide list. */
  cluster?: NodeControl;
}

const { endpoints } = hubContract;

/**
 * The `hub` actor: the supervisor's control endpoints on the bus (so also HTTP and CLI), each
 * the contract's shape with a handler. Outputs are checked too: the dashboard and the CLI rely on them.
 */
export function createHubActor(deps: HubActorDeps) {
  const { supervisor, cluster } = deps;
  const statusOf = async (name: string): Promise<ActorStatus> => supervisor.group(name).status((await deps.stats()).get(name));
  const control = (verb: "start" | "stop" | "restart", act: (name: string) => Promise<void>) =>
    defineEndpoint({
      ...endpoints[verb],
      handler: async ({ name, node }) => {
        // Another node's instances: that node's hub acts (on a single machine there is no other node).
        if (node !== undefined && node !== cluster?.node) {
          if (!cluster) throw notClustered(node);
          return (await cluster.ask(node, verb, { name })) as ActorStatus;
        }
        await act(name);
        return { ...(await statusOf(name)), ...(cluster ? { node: cluster.node } : {}) };
      },
    });
  return defineActor({
    name: hubContract.actor,
    description: "The supervisor: lists, starts, stops, restarts and scales actors",
    endpoints: {
      list: defineEndpoint({
        ...endpoints.list,
        handler: async ({ local }) => {
          const actors = supervisor.statuses(await deps.stats());
          return { actors: cluster && !local ? await cluster.list(actors) : actors };
        },
      }),
      start: control("start", (name) => supervisor.group(name).start()),
      stop: control("stop", (name) => supervisor.group(name).stop()),
      restart: control("restart", (name) => supervisor.group(name).restart()),
      scale: defineEndpoint({
        ...endpoints.scale,
        handler: async ({ name, instances }) => {
          await supervisor.rescale(name, instances, "scale");
          return statusOf(name);
        },
      }),
      info: defineEndpoint({ ...endpoints.info, handler: () => deps.info() }),
      logs: defineEndpoint({
        ...endpoints.logs,
        handler: ({ name, lines }) => {
          // Throws ACTOR_NOT_FOUND for a name the hub does not run; the hub's own log is always there.
          if (name !== BuiltinActor.hub) supervisor.group(name);
          return { lines: deps.recentLogs(name, lines) };
        },
      }),
      keys: defineEndpoint({
        ...endpoints.keys,
        handler: ({ name }) => {
          supervisor.group(name);
          return deps.keyed.list(name);
        },
      }),
      key: defineEndpoint({
        ...endpoints.key,
        handler: ({ name, key }) => {
          supervisor.group(name);
          return deps.keyed.inspect(name, key);
        },
      }),
      schedules: defineEndpoint({ ...endpoints.schedules, handler: () => ({ schedules: deps.schedules() }) }),
      shutdown: defineEndpoint({
        ...endpoints.shutdown,
        handler: () => {
          setImmediate(() => deps.shutdown());
          return { stopping: true };
        },
      }),
    },
  });
}
