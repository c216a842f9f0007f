import type { Placeable, Placement } from "../../protocol/index.ts";

/** A live node and the user actors it can run (their modules are in its folder). */
export interface PlacementNode {
  name: string;
  placeable: Placeable[];
}

export interface PlacementInput {
  nodes: PlacementNode[];
  /** Cluster-wide counts set by `fuse actors scale`, over the configured ones. */
  desired: Record<string, number>;
  /** The decision in force: where it still fits it is kept, so as few instances move as possible. */
  previous?: Placement["actors"];
}

/**
 * Instances per node for every actor some live node can run. The count is the cluster's: the
 * `fuse actors scale` count if one was set, else the configuration of the first node (by name)
 * that has the actor, spread evenly over the nodes that may run it (`placement.nodes`), or
 * `placement.perNode` on each of them. When the count does not divide evenly, the extra
 * instances stay where they ran before, then go to the nodes with the fewest instances. Pure.
 */
export function placeInstances(input: PlacementInput): Placement["actors"] {
  const nodes = [...input.nodes].sort((a, b) => a.name.localeCompare(b.name));
  const names = [...new Set(nodes.flatMap((n) => n.placeable.map((p) => p.name)))].sort();
  const load = new Map(nodes.map((n) => [n.name, 0]));
  const result: Placement["actors"] = {};
  for (const actor of names) {
    const holders = nodes.filter((n) => n.placeable.some((p) => p.name === actor));
    const spec = holders[0]!.placeable.find((p) => p.name === actor)!;
    const allowed = spec.placement?.nodes;
    const eligible = holders.map((n) => n.name).filter((n) => !allowed || allowed.includes(n));
    const override = input.desired[actor];
    const counts =
      override === undefined && spec.placement?.perNode !== undefined
        ? Object.fromEntries(eligible.map((n) => [n, spec.placement!.perNode!]))
        : spread(override ?? spec.instances, eligible, input.previous?.[actor] ?? {}, load);
    result[actor] = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
    for (const [node, n] of Object.entries(counts)) load.set(node, (load.get(node) ?? 0) + n);
  }
  return result;
}

function spread(total: number, eligible: string[], previous: Record<string, number>, load: Map<string, number>): Record<string, number> {
  if (!eligible.length || total <= 0) return {};
  const base = Math.floor(total / eligible.length);
  const extra = total % eligible.length;
  const byPreference = [...eligible].sort((a, b) => (previous[b] ?? 0) - (previous[a] ?? 0) || (load.get(a) ?? 0) - (load.get(b) ?? 0) || a.localeCompare(b));
  const lucky = new Set(byPreference.slice(0, extra));
  return Object.fromEntries(eligible.map((n) => [n, base + (lucky.has(n) ? 1 : 0)]));
}
