import type { Command } from "commander";
import { ValidationError } from "../../errors/index.ts";
import { taskmasterContract, type ContractInput, type ContractOutput, type RunDetail, type RunStatus, type StepRecord } from "../../protocol/index.ts";
import { callContract, withHub } from "../hub-client.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, print, printJson, table } from "../output.ts";

type Endpoints = (typeof taskmasterContract)["endpoints"];
type RunRecord = Omit<RunDetail, "steps" | "input"> & { steps?: RunDetail["steps"] };
type TaskShow = ContractOutput<Endpoints["show"]>;

function paintStatus(status: string): string {
  if (status === "succeeded") return colour.green(status);
  if (status === "failed" || status === "compensation_failed") return colour.red(status);
  if (status === "running") return colour.cyan(status);
  if (status === "pending" || status === "skipped" || status === "cancelled") return colour.dim(status);
  return colour.yellow(status);
}

const took = (from?: number, to?: number) => (from === undefined ? "-" : `${(to ?? Date.now()) - from}ms`);
const when = (at?: number) => (at === undefined ? "-" : new Date(at).toISOString().replace("T", " ").slice(0, 23));

function parseJsonArg(text: string | undefined, what: string): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** What a waiting step waits for, in words: a signal's token is shown, since it is how to complete the step. */
function waitingFor(step: StepRecord): string {
  const w = step.waiting;
  if (!w) return "";
  const until = w.dueAt === undefined ? "" : ` until ${new Date(w.dueAt).toISOString()}`;
  if (w.kind === "timer") return `timer${until}`;
  if (w.kind === "retry") return `next attempt${until}`;
  if (w.kind === "event") return `event ${w.event ?? ""}${until ? `, timeout${until}` : ""}`;
  return `signal (fuse call taskmaster.signal '{"token":"${w.token ?? ""}"}')${until ? `, timeout${until}` : ""}`;
}

function printRun(run: RunRecord): void {
  print(`${colour.bold(run.task)} ${run.id} ${paintStatus(run.status)} ${colour.dim(`trace ${run.traceId}, ${took(run.startedAt, run.endedAt)}`)}`);
  if (run.error) print(`${colour.red("error")}: ${run.error.message} [${run.error.code}]`);
  const links = [
    run.rerunOf ? `rerun of ${run.rerunOf}` : "",
    run.reruns?.length ? `rerun as ${run.reruns.join(", ")}` : "",
    run.parent ? `child of ${run.parent.runId} (step ${run.parent.step})` : "",
    run.children?.length ? `children ${run.children.map((c) => `${c.runId} (${c.step})`).join(", ")}` : "",
  ].filter(Boolean);
  if (links.length) print(colour.dim(links.join("; ")));
  if (run.steps) {
    const note = (s: StepRecord) => (s.error ? `${s.error.code}: ${s.error.message}` : s.reused ? "reused" : s.childRunId ? `child run ${s.childRunId}` : waitingFor(s));
    const rows = run.steps.map((s) => [s.id, paintStatus(s.status), String(s.attempts), took(s.startedAt, s.endedAt), note(s)]);
    print(table(["STEP", "STATUS", "ATTEMPTS", "TOOK", "ERROR / WAITING FOR"], rows));
  }
  if (run.compensations?.length) {
    const rows = run.compensations.map((s) => [s.id, paintStatus(s.status), String(s.attempts), took(s.startedAt, s.endedAt), s.error ? `${s.error.code}: ${s.error.message}` : ""]);
    print(table(["COMPENSATION OF", "STATUS", "ATTEMPTS", "TOOK", "ERROR"], rows));
  }
  if (run.status === "succeeded") print(JSON.stringify(run.output ?? null, null, 2));
}

function printDag(task: TaskShow): void {
  print(`${colour.bold(task.name)} ${colour.dim(task.file)}${task.description ? `\n${task.description}` : ""}`);
  const needs = (id: string) => task.dag.edges.filter((e) => e.to === id).map((e) => (e.kind === "data" ? e.from : `${e.from}${colour.dim("(order)")}`));
  const rows = [...task.dag.nodes]
    .sort((a, b) => a.level - b.level)
    .map((n) => [String(n.level), n.id, n.call, needs(n.id).join(", ") || "-", [n.forEach ? `forEach ${n.forEach}` : "", n.when ? `when ${n.when}` : "", n.onError === "continue" ? "continue on error" : ""].filter(Boolean).join("; ")]);
  print(table(["LEVEL", "STEP", "CALLS", "AFTER", "NOTES"], rows));
}

/** `fuse tasks ls|show|run|status|runs|cancel|rerun|result`: the taskmaster from the command line. */
export function registerTasksCommands(program: Command): void {
  const tasks = program.command("tasks").description("list, run and watch the task schemas of tasks/");
  const call = <TEndpoint extends keyof Endpoints & string>(endpoint: TEndpoint, input: ContractInput<Endpoints[TEndpoint]>, timeoutMs?: number) =>
    withHub(hubDir(program), (c) => callContract(c, taskmasterContract, endpoint, input, timeoutMs ? { timeoutMs } : {}));

  tasks
    .command("ls")
    .description("list the task schemas served, and the files refused with why")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const list = await call("list", {});
      if (options.json) return printJson(list);
      print(table(["TASK", "STEPS", "FILE", "DESCRIPTION"], list.tasks.map((t) => [t.name, String(t.steps), t.file, t.description ?? ""])));
      for (const bad of list.invalid) print(`${colour.red("refused")} ${bad.message} [${bad.code}]`);
    });

  tasks
    .command("show <name>")
    .description("show a task's steps as a DAG, by level")
    .option("--json", "print JSON (schema and DAG, with a Mermaid drawing)")
    .action(async (name: string, options: { json?: boolean }) => {
      const task = await call("show", { name });
      if (options.json) return printJson(task);
      printDag(task);
    });

  tasks
    .command("run <name> [input]")
    .description("run a task with a JSON input; waits for its output unless --no-wait")
    .option("--no-wait", "print the run id and return at once")
    .option("--timeout <ms>", "longest wait for the output", "300000")
    .option("--json", "print JSON")
    .action(async (name: string, input: string | undefined, options: { wait: boolean; timeout: string; json?: boolean }) => {
      const timeoutMs = Number(options.timeout);
      const run = await call("run", { task: name, input: parseJsonArg(input, "input"), wait: options.wait }, timeoutMs + 1000);
      if (options.json) return printJson(run);
      if (!options.wait) return print(`${run.id} ${paintStatus(run.status)} ${colour.dim(`follow with: fuse tasks status ${run.id}`)}`);
      printRun(run);
      if (run.status !== "succeeded") process.exitCode = 1;
    });

  tasks
    .command("status <runId>")
    .description("show a run with every step")
    .option("--json", "print JSON")
    .action(async (runId: string, options: { json?: boolean }) => {
      const run = await call("status", { runId });
      if (options.json) return printJson(run);
      printRun(run);
    });

  tasks
    .command("runs")
    .description("list runs, newest first")
    .option("--task <name>", "only runs of this task")
    .option("--status <status>", "only runs in this status (pending, running, succeeded, failed, cancelled, compensating, compensated, compensation_failed)")
    .option("--limit <n>", "most runs to list", "20")
    .option("--json", "print JSON")
    .action(async (options: { task?: string; status?: string; limit: string; json?: boolean }) => {
      const filter: ContractInput<Endpoints["runs"]> = { limit: Number(options.limit) };
      if (options.task) filter.task = options.task;
      if (options.status) filter.status = options.status as RunStatus;
      const { runs } = await call("runs", filter);
      if (options.json) return printJson(runs);
      print(table(["RUN", "TASK", "STATUS", "CREATED", "TOOK", "ERROR"], runs.map((r) => [r.id, r.task, paintStatus(r.status), when(r.createdAt), took(r.startedAt, r.endedAt), r.error?.code ?? ""])));
    });

  tasks
    .command("cancel <runId>")
    .description("cancel a run; steps in flight are abandoned")
    .option("--json", "print JSON")
    .action(async (runId: string, options: { json?: boolean }) => {
      const run = await call("cancel", { runId });
      if (options.json) return printJson(run);
      printRun(run);
    });

  tasks
    .command("rerun <runId>")
    .description("start a new run of a finished run, reusing the outputs of its succeeded steps (all but --from and the steps after it)")
    .option("--from <step>", "rerun this step and every step after it, even if they succeeded")
    .option("--json", "print JSON")
    .action(async (runId: string, options: { from?: string; json?: boolean }) => {
      const run = await call("rerun", { runId, ...(options.from ? { from: options.from } : {}) });
      if (options.json) return printJson(run);
      print(`${run.id} ${paintStatus(run.status)} ${colour.dim(`rerun of ${runId}; follow with: fuse tasks status ${run.id}`)}`);
    });

  tasks
    .command("result <runId>")
    .description("print a run's full result as JSON (every step's output, and the schema it ran)")
    .action(async (runId: string) => printJson(await call("result", { runId })));
}
