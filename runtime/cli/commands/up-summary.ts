import type { ActorStatus, HubInfo } from "../../protocol/index.ts";
import { colour, statusColour, table } from "../output.ts";

/** An actor that wants instances but has one that crashed instead of becoming ready. */
export interface StartProblem {
  actor: string;
  /** `failed`: no instance serves; `degraded`: some do, others crashed. */
  state: "failed" | "degraded";
  /** The first crashed instance's last exit: code or signal, and the error it printed. */
  reason: string;
  /** Whether the hub is still reviving it (backoff) or gave up (crash loop). */
  retrying: boolean;
}

/**
 * The actors that could not start. `fuse up` prints its summary once every actor was ready or
 * had crashed once, so an actor with a crashed instance and none serving failed to start
 * (a compile error, a definition refused with CONFIG_INVALID, a throw at load): the hub may
 * still be retrying it with backoff, but it serves nothing now, and retrying the same code
 * will not help, so it is shown as failed rather than as "starting".
 */
export function startProblems(statuses: ActorStatus[]): StartProblem[] {
  return statuses.flatMap((actor) => {
    // A crashed instance may already be starting again (after its backoff) when this is read.
    const crashed = actor.instances.filter((i) => (i.status === "backoff" || i.status === "failed" || i.status === "starting") && i.lastExit);
    if (actor.desired === 0 || crashed.length === 0) return [];
    return [
      {
        actor: actor.name,
        state: actor.running === 0 ? "failed" : "degraded",
        reason: crashed[0]!.lastExit!.reason,
        retrying: crashed.some((i) => i.status !== "failed"),
      },
    ];
  });
}

const REASON_WIDTH = 300;

// Crash reasons join the last stderr lines with " | "; a stack or a long message is cut so
// the summary stays one screen, and the whole text is in `fuse logs <actor>`.
function reasonLines(reason: string): string[] {
  return reason
    .split(/\n| \| /)
    .filter((l) => l.trim())
    .slice(0, 3)
    .map((l) => (l.length > REASON_WIDTH ? `${l.slice(0, REASON_WIDTH)}…` : l));
}

/** The lines `fuse up` prints once the hub is up: where things are, each actor's state, and why any could not start. */
export function summaryLines(info: HubInfo, readyMs: number, statuses: ActorStatus[]): string[] {
  const problems = startProblems(statuses);
  const byActor = new Map(problems.map((p) => [p.actor, p]));
  const failed = problems.filter((p) => p.state === "failed").length;
  const headline =
    problems.length === 0
      ? `${colour.green("●")} Fuse hub ready in ${readyMs} ms`
      : `${colour.yellow("●")} Fuse hub ready in ${readyMs} ms with ${failed ? `${failed} actor(s) failed` : ""}${failed && problems.length > failed ? ", " : ""}${problems.length > failed ? `${problems.length - failed} degraded` : ""}`;
  const lines = [`${headline} ${colour.dim(`(pid ${info.pid}, ${info.dir})`)}`, `  bus      ${info.natsUrl}`];
  if (info.gatewayUrl) lines.push(`  gateway  ${colour.cyan(info.gatewayUrl)}`);
  if (info.dbUrl) lines.push(`  db       ${info.dbUrl}`);
  lines.push(`  logs     .fuse/logs/`);
  const rows = statuses.map((a) => [
    a.builtin ? colour.dim(a.name) : a.name,
    `${a.running}/${a.desired}`,
    statusColour(byActor.get(a.name)?.state ?? a.status),
    a.pids.join(", ") || "-",
  ]);
  lines.push(table(["ACTOR", "INSTANCES", "STATUS", "PIDS"], rows));
  for (const problem of problems) {
    const [first, ...more] = reasonLines(problem.reason);
    const retrying = problem.retrying ? colour.dim(" (retrying)") : "";
    lines.push(`${colour.red("✗")} ${problem.actor} ${problem.state}${retrying}: ${first ?? "exited"}`, ...more.map((l) => `    ${l}`));
  }
  if (problems.length) {
    lines.push(
      colour.dim(
        "The other actors serve. Fix the code and run `fuse actors restart <name>` (or use `fuse up --watch`); `fuse check` lists every such error without starting a hub.",
      ),
    );
  }
  lines.push(colour.dim("Stop with Ctrl-C or `fuse down`."));
  return lines;
}
