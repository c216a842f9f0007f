import type { TaskDefinition } from "./task-definition.ts";

export interface DagNode {
  id: string;
  call: string;
  /** Longest chain of prerequisites before this step: steps of equal level can run together. */
  level: number;
  when?: string;
  forEach?: string;
  onError: "fail" | "continue";
}

export interface DagEdge {
  from: string;
  to: string;
  /** `data`: `to` reads `from`'s output; `order`: only listed in `needs`. */
  kind: "data" | "order";
}

export interface Dag {
  nodes: DagNode[];
  edges: DagEdge[];
  /** Mermaid flowchart text, for drawing. */
  mermaid: string;
}

/** The task's step graph, for `show`, the CLI and the dashboard. */
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
    const node: DagNode = { id: s.id, call: s.call, level: levelOf(s.id), onError: s.onError };
    if (s.when) node.when = s.when.source;
    if (s.forEach) node.forEach = s.forEach.source;
    return node;
  });
  const edges = task.steps.flatMap((s) =>
    s.after.map((from): DagEdge => ({ from, to: s.id, kind: s.reads.includes(from) ? "data" : "order" })),
  );
  const mermaid = [
    "flowchart LR",
    ...nodes.map((n) => `  ${n.id}["${n.id}<br/>${n.call}${n.forEach ? " ×N" : ""}"]`),
    ...edges.map((e) => `  ${e.from} ${e.kind === "data" ? "-->" : "-.->"} ${e.to}`),
  ].join("\n");
  return { nodes, edges, mermaid };
}
