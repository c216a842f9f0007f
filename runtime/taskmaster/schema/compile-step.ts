import { parseTarget } from "../../protocol/index.ts";
import { ExpressionProblem, compileExpression, constantExpression, type Expression } from "./expression.ts";
import type { Problems } from "./problems.ts";
import type { CatchRule, StepDefinition, StepKind } from "./task-definition.ts";
import type { StepSchema } from "./task-schema.ts";

/** Compiles one expression; a bad one is added to `problems` and gives undefined. */
export function compile(problems: Problems, path: PropertyKey[], source: string, step?: string): Expression | undefined {
  try {
    return compileExpression(source);
  } catch (error) {
    const p = error as ExpressionProblem;
    const at = p.position === undefined ? "" : ` at character ${p.position}`;
    problems.add(path, `bad expression${at}: ${p.message}`, step);
    return undefined;
  }
}

const KINDS = ["wait", "await", "signal", "task"] as const;

function kindOf(problems: Problems, step: StepSchema, index: number): StepKind {
  const present = KINDS.filter((k) => step[k] !== undefined);
  if (present.length > 1) problems.add(["steps", index, present[1]!], `a step does one thing: it has both "${present[0]}" and "${present[1]}"`, step.id);
  const kind = present[0] ?? "call";
  if (kind === "call" && step.call === undefined) problems.add(["steps", index], "a step needs one of call, wait, await, signal or task", step.id);
  if ((kind === "wait" || kind === "await" || kind === "task") && step.call !== undefined) problems.add(["steps", index, "call"], `a ${kind} step makes no call (only a signal step may have one)`, step.id);
  return kind;
}

function catchRules(onError: StepSchema["onError"]): CatchRule[] {
  if (onError === "fail") return [];
  if (onError === "continue") return [{ then: "continue" }];
  return onError.map((r) => {
    const rule: CatchRule = { then: r.then ?? (r.goto ? "continue" : "fail") };
    if (r.on) rule.on = r.on;
    if (r.goto) rule.goto = r.goto;
    return rule;
  });
}

/** Compiles a step's expressions and checks what one step alone can get wrong; problems go to `problems`. */
export function compileStep(problems: Problems, step: StepSchema, index: number): StepDefinition {
  const path = (...keys: PropertyKey[]) => ["steps", index, ...keys];
  const kind = kindOf(problems, step, index);
  const expr = (source: string | undefined, ...keys: PropertyKey[]) => (source === undefined ? undefined : compile(problems, path(...keys), source, step.id));
  const input = expr(step.input, "input");
  const when = expr(step.when, "when");
  const forEach = expr(step.forEach, "forEach");
  const until = expr(step.wait?.until, "wait", "until");
  const match = expr(step.await?.match, "await", "match");
  if (!forEach) {
    const [key, used] = input?.usesItem ? ["input", input] : when?.usesItem ? ["when", when] : [];
    if (used) problems.add(path(key!), "$item and $index exist only in a step with forEach", step.id);
  }
  if (forEach?.usesItem) problems.add(path("forEach"), "$item and $index are not set yet when forEach is read", step.id);
  if (forEach && kind !== "call") problems.add(path("forEach"), `forEach applies only to a call step, not a ${kind} step`, step.id);
  if (step.concurrency !== undefined && !step.forEach) problems.add(path("concurrency"), "concurrency applies only to a step with forEach", step.id);
  if (step.wait && (step.wait.ms === undefined) === (step.wait.until === undefined)) problems.add(path("wait"), "a wait needs exactly one of ms or until", step.id);
  if (step.input !== undefined && kind !== "call" && kind !== "task" && !(kind === "signal" && step.call)) problems.add(path("input"), `input applies only to a step with a call, not a ${kind} step`, step.id);
  const compensateInput = expr(step.compensate?.input, "compensate", "input");
  if (compensateInput?.usesItem) problems.add(path("compensate", "input"), "$item and $index exist only in a fan-out's input", step.id);
  if (step.compensate && kind !== "call" && kind !== "task") problems.add(path("compensate"), `compensate applies to a call or task step, not a ${kind} step`, step.id);
  // The compensation's reads are checked by name but are no prerequisites: it runs after the run failed.
  const all = [input, when, forEach, until, match];
  const reads = [...new Set(all.flatMap((e) => e?.refs ?? []))];
  const errorReads = [...new Set(all.flatMap((e) => e?.errorRefs ?? []))];
  const definition: StepDefinition = {
    id: step.id,
    index,
    kind,
    needs: step.needs,
    reads,
    errorReads,
    catches: [],
    after: [...new Set([...step.needs, ...reads, ...errorReads])],
    // A step reading another's error is there for its failure: by default it runs whatever happened.
    trigger: step.trigger ?? (errorReads.length ? "all_done" : "all_succeeded"),
    input: input ?? (forEach ? compileExpression("$item") : constantExpression({})),
    timeoutMs: step.timeoutMs,
    retry: step.retry,
    onError: catchRules(step.onError),
  };
  if (step.call !== undefined) {
    definition.call = step.call;
    definition.target = parseTarget(step.call)!;
  }
  if (step.description !== undefined) definition.description = step.description;
  if (when) definition.when = when;
  if (forEach) definition.forEach = forEach;
  if (step.concurrency !== undefined) definition.concurrency = step.concurrency;
  if (step.wait) definition.wait = { ...(step.wait.ms !== undefined ? { ms: step.wait.ms } : {}), ...(until ? { until } : {}) };
  if (step.await) definition.await = { event: step.await.event, ...(match ? { match } : {}), ...(step.await.timeoutMs ? { timeoutMs: step.await.timeoutMs } : {}) };
  if (step.task !== undefined) definition.task = step.task;
  if (step.compensate) {
    const { call, timeoutMs, retry } = step.compensate;
    definition.compensate = { call, target: parseTarget(call)!, input: compensateInput ?? constantExpression({}), timeoutMs, retry };
  }
  if (step.signal) definition.signal = { ...(step.signal.timeoutMs ? { timeoutMs: step.signal.timeoutMs } : {}) };
  return definition;
}
