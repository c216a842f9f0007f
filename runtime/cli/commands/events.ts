import type { Command } from "commander";
import { EventAdmin, type TailedEvent } from "../../bus/index.ts";
import { ValidationError } from "../../errors/index.ts";
import { withBus } from "../hub-client.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, print, printJson, table } from "../output.ts";

const AGO = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 } as const;

/**
 * A moment given on the command line: an ISO date or time (`2026-11-30T12:00:00Z`), or a span
 * back from now (`30m`, `2h`, `7d`).
 * @throws VALIDATION_FAILED naming the option for anything else.
 */
export function parseSince(text: string, option = "--since", now = Date.now()): Date {
  const ago = AGO.exec(text);
  if (ago) return new Date(now - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS]);
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new ValidationError(`${option}: expected an ISO time such as 2026-11-30T12:00:00Z or a span back from now such as 30m, 2h or 7d, got ${JSON.stringify(text)}`);
  return new Date(at);
}

const when = (ms: number | undefined) => (ms === undefined ? "-" : new Date(ms).toISOString());

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

function tailLine(e: TailedEvent): string {
  return `${colour.dim(new Date(e.storedAt).toISOString())} ${colour.cyan(e.topic)} ${colour.dim(`#${e.seq}${e.traceId ? ` ${e.traceId}` : ""}`)} ${JSON.stringify(e.payload)}`;
}

function registerLs(events: Command, program: Command): void {
  events
    .command("ls")
    .description("list the event streams, the stored events per topic and each actor's subscription with its backlog")
    .option("--json", "print { streams, topics, subscriptions } as JSON")
    .action(async (options: { json?: boolean }) => {
      const overview = await withBus(hubDir(program), (nc, state) => new EventAdmin(nc, state.prefix).overview());
      if (options.json) return printJson(overview);
      print(table(["STREAM", "KIND", "EVENTS", "SIZE", "OLDEST", "NEWEST"], overview.streams.map((s) => [s.name, s.kind, String(s.messages), size(s.bytes), when(s.oldest), when(s.newest)])));
      print("");
      print(overview.topics.length ? table(["TOPIC", "STORED"], overview.topics.map((t) => [t.topic, String(t.messages)])) : colour.dim("no events stored"));
      print("");
      print(
        overview.subscriptions.length
          ? table(
              ["ACTOR", "TOPIC", "PENDING", "UNACKED", "REDELIVERED"],
              overview.subscriptions.map((s) => [s.actor, s.topic, s.pending ? colour.yellow(String(s.pending)) : "0", String(s.unacked), s.redelivered ? colour.yellow(String(s.redelivered)) : "0"]),
            )
          : colour.dim("no actor subscribes to events"),
      );
    });
}

function registerTail(events: Command, program: Command): void {
  events
    .command("tail [topic]")
    .description("print events as they are stored (every topic, or one; * and > as wildcards) until Ctrl-C")
    .option("--since <time>", "start with the events stored since an ISO time or a span back (30m, 2h, 7d)")
    .option("--dead", "follow the dead letters (events actors gave up) instead")
    .option("--json", "print one JSON object a line")
    .action(async (topic: string | undefined, options: { since?: string; dead?: boolean; json?: boolean }) => {
      const since = options.since === undefined ? undefined : parseSince(options.since);
      await withBus(hubDir(program), async (nc, state) => {
        const show = (e: TailedEvent) => print(options.json ? JSON.stringify(e) : tailLine(e));
        const stop = await new EventAdmin(nc, state.prefix).tail(show, { topic, since, dead: options.dead });
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await stop();
      });
    });
}

function registerReplay(events: Command, program: Command): void {
  events
    .command("replay <topic>")
    .description("deliver the stored events of a topic again from a moment on, to every subscribed actor or one")
    .requiredOption("--since <time>", "an ISO time or a span back from now (30m, 2h, 7d)")
    .option("--to <actor>", "only this actor's subscription")
    .option("--json", "print the reset subscriptions as JSON")
    .action(async (topic: string, options: { since: string; to?: string; json?: boolean }) => {
      const since = parseSince(options.since);
      const reset = await withBus(hubDir(program), (nc, state) => new EventAdmin(nc, state.prefix).replay(topic, since, options.to));
      if (options.json) return printJson(reset);
      for (const s of reset) print(`${colour.green("✓")} ${s.actor} ${s.topic}: ${s.pending} events from ${since.toISOString()} to deliver again`);
    });
}

export function registerEventsCommands(program: Command): void {
  const events = program.command("events").description("look at the hub's durable events, follow them, replay them");
  registerLs(events, program);
  registerTail(events, program);
  registerReplay(events, program);
}
