import type { StepDefinition, TaskDefinition } from "./task-definition.ts";

export interface DagNode {
  id: string;
  /** The endpoint called; for a wait, await or signal step, what it waits for (`wait`, `await payment.settled`, `signal`). */
  call: string;
  /** Longest chain of prerequisites before this step: steps of equal level can run together. */
  level: number;
  when?: string;
  forEach?: string;
  /** `fail`, `continue`, or `by code` for rules by error code. */
  onError: string;
  trigger: string;
}

export interface DagEdge {
  from: string;
  to: string;
  /** `data`: `to` reads `from`'s output; `catch`: `to` handles `from`'s error (`goto`); `order`: the rest (`needs`, `$errors`). */
  kind: "data" | "order" | "catch";
}

export interface Dag {
  nodes: DagNode[];
  edges: DagEdge[];
  /** Mermaid flowchart text, for drawing. */
  mermaid: string;
}

/** The task's step graph, for `show`, the CLI and the dashboard. */
function describeAction(step: StepDefinition): string {
  if (step.kind === "call") return step.call!;
  if (step.kind === "await") return `await ${step.await!.event}`;
  if (step.kind === "task") return `task ${step.task!}`;
  return step.call ? `signal after ${step.call}` : step.kind;
}

function describeOnError(step: StepDefinition): string {
  if (!step.onError.length) return "fail";
  return step.onError.length === 1 && !step.onError[0]!.on && !step.onError[0]!.goto ? step.onError[0]!.then : "by code";
}

export function describeDag(task: TaskDefinition): Dag {
  const levels = new Map<string, number>();
  const levelOf = (id: string): number => {
    const known = levels.get(id);
    if (known !== undefined) return known;
    const step = task.byId.get(id)!;
    const level = step.after.length ? 1 + Math.max(...step.after.map(levelOf)) : 0;
    levels.set(id, level);
    return level;
  };
  const nodes = task.steps.map((s) => {
    const node: DagNode = { id: s.id, call: describeAction(s), level: levelOf(s.id), onError: describeOnError(s), trigger: s.trigger };
    if (s.when) node.when = s.when.source;
    if (s.forEach) node.forEach = s.forEach.source;
    return node;
  });
  const edges = task.steps.flatMap((s) =>
    s.after.map((from): DagEdge => ({ from, to: s.id, kind: s.reads.includes(from) ? "data" : s.catches.includes(from) ? "catch" : "order" })),
  );
  const mermaid = [
    "flowchart LR",
    ...nodes.map((n) => `  ${n.id}["${n.id}<br/>${n.call}${n.forEach ? " ×N" : ""}"]`),
    ...edges.map((e) => `  ${e.from} ${e.kind === "data" ? "-->" : e.kind === "catch" ? "-. error .->" : "-.->"} ${e.to}`),
  ].join("\n");
  return { nodes, edges, mermaid };
}
