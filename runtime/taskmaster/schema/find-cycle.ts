/**
 * A cycle in a dependency graph as the list of its nodes, first node repeated at the end
 * (`["a", "b", "a"]`), or undefined when the graph is acyclic. `edges(n)` lists what n needs.
 */
export function findCycle(nodes: readonly string[], edges: (node: string) => readonly string[]): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, "open");
    stack.push(node);
    for (const next of edges(node)) {
      const seen = state.get(next);
      if (seen === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (seen === undefined) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of nodes) {
    if (state.has(node)) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}
