import type { CallGraph, GraphEdge, GraphNode } from "./history-types.ts";
import type { Interval } from "./interval.ts";

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/**
 * The call graph of the intervals that ended within `windowMs` of the newest: every actor in
 * `actors` or on an edge is a node, with the requests it served; each caller → callee pair that
 * made calls is an edge with their rate and error ratio. Nodes come sorted by depth then name,
 * edges by caller then callee, so the same traffic always draws the same picture.
 */
export function callGraph(intervals: readonly Interval[], actors: Iterable<string>, windowMs: number): CallGraph {
  const to = intervals.at(-1)?.at ?? null;
  const recent = to === null ? [] : intervals.filter((i) => i.at > to - windowMs);
  const seconds = recent.reduce((s, i) => s + i.seconds, 0);
  const served = new Map<string, { requests: number; errors: number }>();
  for (const name of actors) served.set(name, { requests: 0, errors: 0 });
  const edges = new Map<string, GraphEdge>();
  for (const interval of recent) {
    for (const e of interval.endpoints.values()) {
      const node = served.get(e.actor) ?? { requests: 0, errors: 0 };
      node.requests += e.requests;
      node.errors += e.errors;
      served.set(e.actor, node);
    }
    for (const c of interval.edges.values()) {
      const key = `${c.from}\u0000${c.to}`;
      const edge = edges.get(key) ?? { from: c.from, to: c.to, calls: 0, errors: 0, rate: 0, errorRatio: null };
      edge.calls += c.calls;
      edge.errors += c.errors;
      edges.set(key, edge);
    }
  }
  const edgeList = [...edges.values()]
    .map((e) => ({ ...e, rate: seconds > 0 ? e.calls / seconds : 0, errorRatio: ratio(e.errors, e.calls) }))
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  for (const e of edgeList) for (const name of [e.from, e.to]) if (!served.has(name)) served.set(name, { requests: 0, errors: 0 });
  const depths = depthsOf([...served.keys()], edgeList);
  const nodes: GraphNode[] = [...served].map(([actor, s]) => ({ actor, depth: depths.get(actor)!, requests: s.requests, rate: seconds > 0 ? s.requests / seconds : 0, errorRatio: ratio(s.errors, s.requests) }));
  nodes.sort((a, b) => a.depth - b.depth || a.actor.localeCompare(b.actor));
  return { seconds, to, nodes, edges: edgeList };
}

/**
 * Each node's layer: breadth-first from the nodes no other calls (depth 0). Actors that only
 * call each other in a ring have no such start: the first of them by name starts a walk of its own.
 */
function depthsOf(names: string[], edges: readonly { from: string; to: string }[]): Map<string, number> {
  const callees = new Map<string, string[]>(names.map((n) => [n, []]));
  const called = new Set<string>();
  for (const e of edges) {
    if (e.from === e.to) continue;
    callees.get(e.from)!.push(e.to);
    called.add(e.to);
  }
  const depth = new Map<string, number>();
  const walk = (starts: string[]) => {
    let layer = starts.filter((s) => !depth.has(s));
    for (const s of layer) depth.set(s, 0);
    for (let d = 1; layer.length; d++) {
      const next: string[] = [];
      for (const n of layer) {
        for (const c of callees.get(n)!) {
          if (depth.has(c)) continue;
          depth.set(c, d);
          next.push(c);
        }
      }
      layer = next;
    }
  };
  const sorted = [...names].sort();
  walk(sorted.filter((n) => !called.has(n)));
  for (const n of sorted) if (!depth.has(n)) walk([n]);
  return depth;
}
