import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { discoverActors, loadConfig, resolveActors, type ActorPlan, type FuseConfig } from "../../config/index.ts";
import { FuseError, toFuseError } from "../../errors/index.ts";
import { BuiltinActor, ErrorCode, NAME_RULE, isValidName, kebabName } from "../../protocol/index.ts";
import { loadTableSchemas } from "../../table/index.ts";
import { loadTasks, type TaskDefinition } from "../../taskmaster/index.ts";
import { checkActorModule } from "./check-actor-module.ts";

export type ProblemKind = "config" | "actor" | "task" | "table";

/** One mistake found in a hub folder, where it is and what is wrong. */
export interface CheckProblem {
  kind: ProblemKind;
  /** Path relative to the hub folder. */
  file: string;
  line?: number;
  code: string;
  /** The error's message as the runtime would raise it (it names the file, line and key when known). */
  message: string;
}

export interface CheckResult {
  ok: boolean;
  /** What was looked at, for "checked 3 actors, 2 tasks, 1 table". */
  checked: { actors: number; tasks: number; tables: number };
  problems: CheckProblem[];
}

const relative = (dir: string, file: string) => (path.isAbsolute(file) ? path.relative(dir, file) : file);

// An error's own "file:line" prefix is where it is; failing that, its details.
function lineOf(message: string, file: string, details: unknown): number | undefined {
  const match = message.startsWith(file) ? /^:(\d+)/.exec(message.slice(file.length)) : null;
  if (match) return Number(match[1]);
  const line = (details as { line?: unknown } | undefined)?.line;
  return typeof line === "number" ? line : undefined;
}

function problemOf(dir: string, kind: ProblemKind, file: string, error: unknown): CheckProblem {
  const fuse = toFuseError(error);
  const rel = relative(dir, file);
  const line = lineOf(fuse.message, rel, fuse.details);
  return { kind, file: rel, ...(line === undefined ? {} : { line }), code: fuse.code, message: fuse.message };
}

/** The config, and the actors it runs; a broken config still lets the actors folder be checked. */
function readConfig(dir: string, problems: CheckProblem[]): { config?: FuseConfig; plans: ActorPlan[] } {
  const file = path.join("config", "fuse.yaml");
  let config: FuseConfig;
  try {
    config = loadConfig(dir, file);
  } catch (error) {
    problems.push(problemOf(dir, "config", file, error));
    const found = discoverActors(dir, "actors");
    return { plans: [...found].map(([name, module]) => ({ name, module, instances: 1, env: {}, builtin: false })) };
  }
  try {
    return { config, plans: resolveActors(config, dir, file).filter((p) => !p.builtin && (p.kind ?? "actor") === "actor") };
  } catch (error) {
    problems.push(problemOf(dir, "config", file, error));
    return { config, plans: [] };
  }
}

/** Actor folders the hub would pass over in silence because their name breaks the rule. */
function misnamedFolders(dir: string, actorsDir: string): CheckProblem[] {
  const root = path.join(dir, actorsDir);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules" && !isValidName(entry.name))
    .map((entry) => {
      const file = path.join(actorsDir, entry.name);
      const suggestion = kebabName(entry.name);
      const hint = suggestion && isValidName(suggestion) ? ` (did you mean "${suggestion}"?)` : "";
      const message = `${file}: actor folder names must be ${NAME_RULE}, so the hub does not run this one${hint}`;
      return { kind: "actor" as const, file, code: ErrorCode.CONFIG_INVALID, message };
    });
}

async function checkActors(dir: string, plans: ActorPlan[], problems: CheckProblem[]): Promise<Map<string, Set<string>>> {
  const endpoints = new Map<string, Set<string>>();
  const outDir = mkdtempSync(path.join(os.tmpdir(), "fuse-check-"));
  try {
    // One at a time: each load is a compile and a node process, and the machine may be small.
    for (const plan of plans) {
      const result = await checkActorModule(plan.name, plan.module, outDir);
      const file = relative(dir, plan.module);
      if (!result.ok) {
        const at = result.file ? relative(dir, path.resolve(result.file)) : file;
        const message = result.message.startsWith(plan.module) ? file + result.message.slice(plan.module.length) : result.message;
        const line = result.line ?? lineOf(message, at, undefined);
        problems.push({ kind: "actor", file: at, ...(line === undefined ? {} : { line }), code: result.code, message });
      } else if (result.name !== plan.name) {
        const message = `${file}: the module defines actor "${result.name}" but the hub runs it as "${plan.name}"`;
        problems.push({ kind: "actor", file, code: ErrorCode.CONFIG_INVALID, message });
      } else {
        endpoints.set(plan.name, new Set(result.endpoints));
      }
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  return endpoints;
}

/** Every step calling an actor that is neither in this hub nor built in, or an endpoint its actor lacks. */
function taskTargetProblems(task: TaskDefinition, actors: ReadonlySet<string>, endpoints: Map<string, Set<string>>): FuseError[] {
  const builtins = new Set<string>(Object.values(BuiltinActor));
  return task.steps.flatMap((step) => {
    if (!step.target) return [];
    const { actor, endpoint } = step.target;
    const where = `${task.file} steps[${step.index}] "${step.id}".call`;
    if (!actors.has(actor) && !builtins.has(actor)) {
      const known = [...actors].sort().join(", ") || "none";
      return [new FuseError(ErrorCode.TASK_SCHEMA_INVALID, `${where}: unknown actor "${actor}" in "${step.call}" (this hub runs: ${known})`)];
    }
    // Only actors that loaded are known by endpoint; a broken one is reported on its own.
    const has = endpoints.get(actor);
    if (!has || has.has(endpoint)) return [];
    const list = [...has].sort().join(", ") || "none";
    return [new FuseError(ErrorCode.TASK_SCHEMA_INVALID, `${where}: unknown endpoint "${step.call}" (actor "${actor}" has: ${list})`)];
  });
}

/**
 * Checks a hub folder without starting anything (no nats-server, no database): the config,
 * every actor (compiled and loaded, each in a process of its own), every task schema (with
 * the endpoints its steps call) and every table schema. Reports every problem found, not
 * just the first.
 */
export async function checkHub(dir: string): Promise<CheckResult> {
  const problems: CheckProblem[] = [];
  const { config, plans } = readConfig(dir, problems);
  problems.push(...misnamedFolders(dir, config?.actorsDir ?? "actors"));
  const endpoints = await checkActors(dir, plans, problems);
  const tasks = loadTasks(dir);
  for (const { file, error } of tasks.invalid) problems.push(problemOf(dir, "task", file, error));
  const actorNames = new Set(plans.map((p) => p.name));
  for (const task of tasks.tasks.values()) {
    for (const error of taskTargetProblems(task, actorNames, endpoints)) problems.push(problemOf(dir, "task", task.file, error));
  }
  const tables = loadTableSchemas(dir);
  for (const { file, error } of tables.invalid) problems.push(problemOf(dir, "table", file, error));
  return {
    ok: problems.length === 0,
    checked: { actors: plans.length, tasks: tasks.tasks.size + tasks.invalid.length, tables: tables.tables.size + tables.invalid.length },
    problems,
  };
}
