import { z } from "zod";
import { defineActor, defineEndpoint } from "../sdk/index.ts";
import { HUB_ACTOR, type ActorStatus, type HubInfo, type ScheduleStatus } from "../protocol/index.ts";
import type { Supervisor } from "./supervisor.ts";
import type { EndpointTotals } from "./actor-group.ts";

export interface HubActorDeps {
  supervisor: Supervisor;
  schedules(): ScheduleStatus[];
  info(): HubInfo;
  stats(): Promise<Map<string, EndpointTotals>>;
  recentLogs(name: string, lines: number): string[];
  shutdown(): void;
}

// Shapes are checked on the way out too; the dashboard and the CLI rely on them.
const instanceStatus = z.object({
  index: z.number(),
  pid: z.number().nullable(),
  status: z.string(),
  restarts: z.number(),
  startedAt: z.number().nullable(),
  lagMs: z.number(),
  lastExit: z.object({ code: z.number().nullable(), signal: z.string().nullable(), at: z.number(), reason: z.string() }).optional(),
});
const actorStatus = z.object({
  name: z.string(),
  builtin: z.boolean(),
  kind: z.enum(["actor", "process"]),
  module: z.string(),
  status: z.string(),
  desired: z.number(),
  running: z.number(),
  restarts: z.number(),
  pids: z.array(z.number()),
  uptimeMs: z.number().nullable(),
  requests: z.number(),
  errors: z.number(),
  meanMs: z.number(),
  instances: z.array(instanceStatus),
});
const byName = z.object({ name: z.string().min(1) });

/** The `hub` actor: the supervisor's control endpoints on the bus (so also HTTP and CLI). */
export function createHubActor(deps: HubActorDeps) {
  const { supervisor } = deps;
  const statusOf = async (name: string): Promise<ActorStatus> => {
    const group = supervisor.group(name);
    return group.status((await deps.stats()).get(name));
  };
  const control = (description: string, act: (name: string) => Promise<void>) =>
    defineEndpoint({
      description,
      input: byName,
      output: actorStatus,
      handler: async ({ name }) => {
        await act(name);
        return statusOf(name);
      },
    });
  return defineActor({
    name: HUB_ACTOR,
    description: "The supervisor: lists, starts, stops, restarts and scales actors",
    endpoints: {
      list: defineEndpoint({
        description: "Every actor with its instances, restarts and request figures",
        input: z.object({}),
        output: z.object({ actors: z.array(actorStatus) }),
        handler: async () => ({ actors: supervisor.statuses(await deps.stats()) }),
      }),
      start: control("Starts a stopped actor", (name) => supervisor.group(name).start()),
      stop: control("Stops an actor after draining its requests", (name) => supervisor.group(name).stop()),
      restart: control("Restarts an actor one instance at a time", (name) => supervisor.group(name).restart()),
      scale: defineEndpoint({
        description: "Sets the number of instances of an actor",
        input: z.object({ name: z.string().min(1), instances: z.number().int().min(0).max(64) }),
        output: actorStatus,
        handler: async ({ name, instances }) => {
          await supervisor.group(name).scale(instances);
          return statusOf(name);
        },
      }),
      info: defineEndpoint({
        description: "Where the hub's bus, database and gateway are",
        input: z.object({}),
        output: z.object({
          pid: z.number(),
          dir: z.string(),
          prefix: z.string(),
          natsUrl: z.string(),
          dbUrl: z.string().optional(),
          gatewayUrl: z.string().optional(),
          startedAt: z.number(),
          version: z.string(),
        }),
        handler: () => deps.info(),
      }),
      logs: defineEndpoint({
        description: "The latest log lines of an actor (JSON lines)",
        input: z.object({ name: z.string().min(1), lines: z.number().int().min(1).max(500).default(100) }),
        output: z.object({ lines: z.array(z.string()) }),
        handler: ({ name, lines }) => {
          if (name !== HUB_ACTOR) supervisor.group(name);
          return { lines: deps.recentLogs(name, lines) };
        },
      }),
      schedules: defineEndpoint({
        description: "Every schedule with its next run and how the last one went",
        input: z.object({}),
        output: z.object({
          schedules: z.array(
            z.object({
              name: z.string(),
              cron: z.string(),
              target: z.string(),
              nextRun: z.number().nullable(),
              lastRun: z
                .object({ at: z.number(), outcome: z.enum(["ok", "failed"]), durationMs: z.number(), error: z.string().optional() })
                .optional(),
              runs: z.number(),
              failures: z.number(),
              skipped: z.number(),
              running: z.boolean(),
            }),
          ),
        }),
        handler: () => ({ schedules: deps.schedules() }),
      }),
      shutdown: defineEndpoint({
        description: "Stops every actor and the hub",
        input: z.object({}),
        output: z.object({ stopping: z.boolean() }),
        handler: () => {
          setImmediate(() => deps.shutdown());
          return { stopping: true };
        },
      }),
    },
  });
}
