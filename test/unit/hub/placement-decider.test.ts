import { describe, expect, it } from "vitest";
import { InProcessTransport } from "../../../runtime/sdk/internal.ts";
import { PlacementDecider, readPlacement } from "../../../runtime/hub/cluster/placement-decider.ts";
import { PlacementFollower } from "../../../runtime/hub/cluster/placement-follower.ts";
import { createLogger } from "../../../runtime/log/index.ts";
import { desiredCountKey, type NodeRecord } from "../../../runtime/protocol/index.ts";

const neverLog = createLogger({ actor: "test", level: "silent" });
const encode = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

function record(name: string, extra: Partial<NodeRecord> = {}): NodeRecord {
  return {
    name,
    address: `${name}:6222`,
    cluster: "c",
    pid: 1,
    version: "0",
    startedAt: 0,
    at: 0,
    intervalMs: 1000,
    leases: [],
    actors: [],
    placeable: [{ name: "greeter", instances: 6 }],
    ...extra,
  };
}

/** Three nodes' records in a nodes bucket, a decider with a clock the test moves, and the placement bucket. */
async function cluster() {
  const transport = new InProcessTransport();
  const nodes = await transport.keyValue("nodes");
  const placement = await transport.keyValue("placement");
  const clock = { now: 0 };
  const decider = new PlacementDecider({ nodes, placement, node: "n1", log: neverLog, now: () => clock.now });
  const announce = (name: string, extra: Partial<NodeRecord> = {}) => nodes.put(name, encode(record(name, extra)));
  for (const name of ["n1", "n2", "n3"]) await announce(name);
  return { nodes, placement, clock, decider, announce };
}

describe("PlacementDecider", () => {
  it("spreads an actor over the live nodes, and re-places a node's share once its record has been quiet for three intervals", async () => {
    const { placement, clock, decider, announce } = await cluster();
    await decider.round();
    expect((await readPlacement(placement))?.actors).toEqual({ greeter: { n1: 2, n2: 2, n3: 2 } });
    // n1 and n2 keep announcing; n3 falls silent.
    for (const t of [1000, 2000, 3000]) {
      clock.now = t;
      await announce("n1");
      await announce("n2");
      await decider.round();
    }
    expect((await readPlacement(placement))?.actors).toEqual({ greeter: { n1: 2, n2: 2, n3: 2 } });
    clock.now = 3001;
    await announce("n1");
    await announce("n2");
    await decider.round();
    const decision = await readPlacement(placement);
    expect(decision).toMatchObject({ actors: { greeter: { n1: 3, n2: 3 } }, nodes: ["n1", "n2"], by: "n1" });
    // n3 comes back: it takes its share again.
    await announce("n3");
    await decider.round();
    expect((await readPlacement(placement))?.actors).toEqual({ greeter: { n1: 2, n2: 2, n3: 2 } });
  });

  it("leaves out a node that stopped cleanly at once, and takes fuse actors scale's count over the configured one", async () => {
    const { placement, decider, announce } = await cluster();
    await announce("n3", { stopped: true });
    await placement.put(desiredCountKey("greeter"), encode("4"));
    await decider.round();
    expect((await readPlacement(placement))?.actors).toEqual({ greeter: { n1: 2, n2: 2 } });
  });

  it("counts a node once when the listing names it twice, and decides from the names it knew when the listing fails", async () => {
    const { nodes, placement, decider } = await cluster();
    const keys = nodes.keys.bind(nodes);
    let listing: "twice" | "fails" = "twice";
    nodes.keys = async (filter?: string) => (listing === "twice" ? [...(await keys(filter)), "n3"] : Promise.reject(new Error("TIMEOUT")));
    await decider.round();
    expect((await readPlacement(placement))?.nodes).toEqual(["n1", "n2", "n3"]);
    expect((await readPlacement(placement))?.actors).toEqual({ greeter: { n1: 2, n2: 2, n3: 2 } });
    listing = "fails";
    await placement.put(desiredCountKey("greeter"), encode("3"));
    await decider.round();
    expect((await readPlacement(placement))?.actors).toEqual({ greeter: { n1: 1, n2: 1, n3: 1 } });
  });

  it("keeps the decision in force when it knows no live node (a new decider whose first listing failed)", async () => {
    const { nodes, placement, decider } = await cluster();
    await decider.round();
    const before = await placement.get("current");
    const fresh = new PlacementDecider({ nodes, placement, node: "n2", log: neverLog, now: () => 0 });
    nodes.keys = () => Promise.reject(new Error("TIMEOUT"));
    await fresh.round();
    expect((await placement.get("current"))?.revision).toBe(before?.revision);
  });

  it("writes a decision only when it changes", async () => {
    const { placement, decider } = await cluster();
    await decider.round();
    const first = await placement.get("current");
    await decider.round();
    expect((await placement.get("current"))?.revision).toBe(first?.revision);
  });
});

describe("PlacementFollower", () => {
  it("applies this node's share of the decision in force and of every later one, 0 where the node is left out", async () => {
    const { placement, decider, clock, announce } = await cluster();
    const applied: Record<string, number>[] = [];
    const follower = new PlacementFollower({ placement, node: "n3", log: neverLog, apply: async (shares) => void applied.push(shares) });
    await decider.round();
    await follower.start();
    expect(applied.at(-1)).toEqual({ greeter: 2 });
    await announce("n3", { stopped: true });
    clock.now = 1;
    await decider.round();
    await new Promise((r) => setTimeout(r, 50));
    expect(applied.at(-1)).toEqual({ greeter: 0 });
    // A decision that leaves this node's shares as they were applies nothing again (scaling a
    // group again would revive instances the supervisor gave up on).
    const count = applied.length;
    await announce("n1", { placeable: [{ name: "greeter", instances: 6 }, { name: "other", instances: 0 }] });
    clock.now = 2;
    await decider.round();
    await new Promise((r) => setTimeout(r, 50));
    expect(applied.slice(count)).toEqual([{ other: 0 }]);
    follower.stop();
  });
});
