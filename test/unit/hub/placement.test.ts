import { describe, expect, it } from "vitest";
import { placeInstances, type PlacementNode } from "../../../runtime/hub/cluster/placement.ts";
import type { Placeable } from "../../../runtime/protocol/index.ts";

const node = (name: string, ...placeable: Placeable[]): PlacementNode => ({ name, placeable });
const greeter = (instances: number, placement?: Placeable["placement"]): Placeable => ({ name: "greeter", instances, ...(placement ? { placement } : {}) });

describe("placement of instances over a cluster's live nodes", () => {
  it("spreads an actor's count evenly over the nodes that have it: 6 over three nodes is 2-2-2, over two 3-3", () => {
    const three = [node("n1", greeter(6)), node("n2", greeter(6)), node("n3", greeter(6))];
    expect(placeInstances({ nodes: three, desired: {} })).toEqual({ greeter: { n1: 2, n2: 2, n3: 2 } });
    const previous = placeInstances({ nodes: three, desired: {} });
    // n3 is lost: its share goes to the survivors.
    expect(placeInstances({ nodes: three.slice(0, 2), desired: {}, previous })).toEqual({ greeter: { n1: 3, n2: 3 } });
  });

  it("keeps the extra instances where they ran, so a decision made again moves nothing", () => {
    const nodes = [node("n1", greeter(4)), node("n2", greeter(4)), node("n3", greeter(4))];
    const first = placeInstances({ nodes, desired: {}, previous: { greeter: { n3: 2, n2: 1, n1: 1 } } });
    expect(first).toEqual({ greeter: { n1: 1, n2: 1, n3: 2 } });
    expect(placeInstances({ nodes, desired: {}, previous: first })).toEqual(first);
  });

  it("gives the extra instance of each actor to the node with the fewest instances so far", () => {
    const both = (n: string) => node(n, { name: "a", instances: 1 }, { name: "b", instances: 1 });
    expect(placeInstances({ nodes: [both("n1"), both("n2")], desired: {} })).toEqual({ a: { n1: 1 }, b: { n2: 1 } });
  });

  it("runs an actor only on nodes whose folder has it, and within placement.nodes", () => {
    const nodes = [node("n1", greeter(4, { nodes: ["n1", "n2"] })), node("n2", greeter(4)), node("n3", greeter(4), { name: "far", instances: 2 })];
    expect(placeInstances({ nodes, desired: {} })).toEqual({ greeter: { n1: 2, n2: 2 }, far: { n3: 2 } });
  });

  it("puts perNode instances on every node that may run the actor", () => {
    const nodes = ["n1", "n2", "n3"].map((n) => node(n, greeter(1, { perNode: 1 })));
    expect(placeInstances({ nodes, desired: {} })).toEqual({ greeter: { n1: 1, n2: 1, n3: 1 } });
  });

  it("takes a cluster-wide count set by fuse actors scale over the configured one, and 0 places none", () => {
    const nodes = [node("n1", greeter(2)), node("n2", greeter(2))];
    expect(placeInstances({ nodes, desired: { greeter: 5 } })).toEqual({ greeter: { n1: 3, n2: 2 } });
    expect(placeInstances({ nodes, desired: { greeter: 0 } })).toEqual({ greeter: {} });
  });

  it("reads the configured count from the first node by name, whatever order the nodes come in", () => {
    const nodes = [node("n2", greeter(4)), node("n1", greeter(2))];
    expect(placeInstances({ nodes, desired: {} })).toEqual({ greeter: { n1: 1, n2: 1 } });
  });
});
