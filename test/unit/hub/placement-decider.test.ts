import { describe, expect, it } from "vitest";
import { InProcessTransport } from "../../../runtime/sdk/internal.ts";
import { PlacementDecider, readPlacement } from "../../../runtime/hub/cluster/placement-decider.ts";
import { PlacementFollower } from "../../../runtime/hub/cluster/placement-follower.ts";
import { NodeLiveness } from "../../../runtime/hub/cluster/node-liveness.ts";
import { waitFor } from "../../helpers/index.ts";
import { createLogger } from "../../../runtime/log/index.ts";
import { desiredCountKey, nodeHeartbeatSubject, placementSubject, type NodeRecord, type Placement } from "../../../runtime/protocol/index.ts";

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

/**
 * Three nodes' heartbeats on an in-process bus, the liveness view every node keeps (with a
 * clock the test moves), a decider reading it, and the placement bucket.
 */
async function cluster() {
  const transport = new InProcessTransport();
  const placement = await transport.keyValue("placement");
  const clock = { now: 0 };
  const changes: string[] = [];
  const logged = createLogger({ actor: "test", level: "info", destination: { write: (line: string) => void changes.push(JSON.parse(line).msg) } });
  const liveness = new NodeLiveness({ transport, prefix: "fuse", intervalMs: 1000, log: logged, now: () => clock.now });
  liveness.start();
  const lease = { term: 1 as number | undefined };
  const deciderOn = { liveness, placement, node: "n1", log: neverLog, term: () => lease.term, publish: (d: Placement) => transport.publish(placementSubject("fuse"), JSON.stringify(d)) };
  const decider = new PlacementDecider(deciderOn);
  // The in-process bus delivers on a later turn, as NATS would: each heartbeat is let through.
  const announce = async (name: string, extra: Partial<NodeRecord> = {}) => {
    transport.publish(nodeHeartbeatSubject("fuse", name), JSON.stringify(record(name, extra)));
    await delivered();
  };
  for (const name of ["n1", "n2", "n3"]) await announce(name);
  // The view is trusted once it is three intervals old; every node has spoken again by then.
  clock.now = 3000;
  for (const name of ["n1", "n2", "n3"]) await announce(name);
  return { transport, placement, clock, decider, deciderOn, lease, liveness, announce, changes };
}

/** Moves the clock to `t` with n1 and n2 still announcing. */
async function tick(c: Awaited<ReturnType<typeof cluster>>, t: number) {
  c.clock.now = t;
  await c.announce("n1");
  await c.announce("n2");
}

const delivered = () => new Promise((r) => setTimeout(r, 5));

describe("NodeLiveness", () => {
  it("tells nothing until its view is three intervals old, then names the nodes whose heartbeats it hears", async () => {
    const transport = new InProcessTransport();
    const clock = { now: 0 };
    const liveness = new NodeLiveness({ transport, prefix: "fuse", intervalMs: 1000, log: neverLog, now: () => clock.now });
    liveness.start();
    transport.publish(nodeHeartbeatSubject("fuse", "n1"), JSON.stringify(record("n1")));
    transport.publish(nodeHeartbeatSubject("other", "n9"), JSON.stringify(record("n9")));
    transport.publish(nodeHeartbeatSubject("fuse", "n2"), "not a record");
    await delivered();
    clock.now = 2999;
    expect(liveness.live()).toBeUndefined();
    clock.now = 3000;
    expect(liveness.live()?.map((r) => r.name)).toEqual(["n1"]);
    liveness.stop();
  });

  it("says a node is lost once it was silent for three of its intervals (once), back when it speaks again, and stopped at once", async () => {
    const c = await cluster();
    await tick(c, 4000);
    expect(c.liveness.live()?.map((r) => r.name)).toEqual(["n1", "n2", "n3"]);
    await tick(c, 6000);
    c.liveness.check();
    expect(c.changes.filter((m) => m === "node lost")).toEqual([]);
    await tick(c, 6001);
    c.liveness.check();
    c.liveness.check();
    expect(c.liveness.live()?.map((r) => r.name)).toEqual(["n1", "n2"]);
    expect(c.changes.filter((m) => m === "node lost")).toHaveLength(1);
    await c.announce("n3");
    expect(c.changes.at(-1)).toBe("node back");
    await c.announce("n2", { stopped: true });
    expect(c.liveness.live()?.map((r) => r.name)).toEqual(["n1", "n3"]);
    expect(c.changes.at(-1)).toBe("node stopped");
    c.liveness.stop();
  });
});

describe("PlacementDecider", () => {
  it("spreads an actor over the live nodes, re-places a node's share once it was silent for three intervals, and gives it back", async () => {
    const c = await cluster();
    await c.decider.round();
    expect((await readPlacement(c.placement))?.actors).toEqual({ greeter: { n1: 2, n2: 2, n3: 2 } });
    await tick(c, 6000);
    await c.decider.round();
    expect((await readPlacement(c.placement))?.actors).toEqual({ greeter: { n1: 2, n2: 2, n3: 2 } });
    await tick(c, 6001);
    await c.decider.round();
    expect(await readPlacement(c.placement)).toMatchObject({ actors: { greeter: { n1: 3, n2: 3 } }, nodes: ["n1", "n2"], by: "n1" });
    await c.announce("n3");
    await c.decider.round();
    expect((await readPlacement(c.placement))?.actors).toEqual({ greeter: { n1: 2, n2: 2, n3: 2 } });
  });

  it("decides at once when the view says a node was lost, while it holds the lease", async () => {
    const c = await cluster();
    const nudged = new PlacementDecider({ ...c.deciderOn, intervalMs: 3_600_000 });
    nudged.activate();
    await waitFor("the first decision", async () => (await readPlacement(c.placement))?.nodes.length === 3 || undefined, 5000);
    await tick(c, 6001);
    nudged.nudge();
    await waitFor("n3's share re-placed", async () => JSON.stringify((await readPlacement(c.placement))?.actors) === JSON.stringify({ greeter: { n1: 3, n2: 3 } }) || undefined, 5000);
    nudged.deactivate();
  });

  it("leaves out a node that stopped cleanly at once, and takes fuse actors scale's count over the configured one, also when set while deciding", async () => {
    const c = await cluster();
    await c.announce("n3", { stopped: true });
    await c.placement.put(desiredCountKey("greeter"), encode("4"));
    c.decider.activate();
    await waitFor("4 on two nodes", async () => JSON.stringify((await readPlacement(c.placement))?.actors) === JSON.stringify({ greeter: { n1: 2, n2: 2 } }) || undefined, 5000);
    // A scale while this node decides reaches it through the watch, not a listing.
    const listed = c.placement.keys.bind(c.placement);
    let listings = 0;
    c.placement.keys = (filter?: string) => (listings++, listed(filter));
    await c.placement.put(desiredCountKey("greeter"), encode("6"));
    await waitFor("6 on two nodes", async () => {
      await c.decider.round();
      return JSON.stringify((await readPlacement(c.placement))?.actors) === JSON.stringify({ greeter: { n1: 3, n2: 3 } }) || undefined;
    }, 5000);
    expect(listings).toBe(0);
    c.decider.deactivate();
  });

  it("keeps the decision in force while its view is too young to tell, knows no live node, or its lease is gone", async () => {
    const c = await cluster();
    await c.decider.round();
    const before = await c.placement.get("current");
    const young = new PlacementDecider({ ...c.deciderOn, liveness: { live: () => undefined } });
    await young.round();
    const empty = new PlacementDecider({ ...c.deciderOn, liveness: { live: () => [] } });
    await empty.round();
    // Nor does a decider whose lease just went (no term).
    await c.announce("n3", { stopped: true });
    c.lease.term = undefined;
    await c.decider.round();
    expect((await c.placement.get("current"))?.revision).toBe(before?.revision);
  });

  it("writes a decision only when it changes", async () => {
    const c = await cluster();
    await c.decider.round();
    const first = await c.placement.get("current");
    await c.decider.round();
    expect((await c.placement.get("current"))?.revision).toBe(first?.revision);
  });
});

describe("PlacementFollower", () => {
  it("applies this node's share of the decision in force and of every later one, 0 where the node is left out", async () => {
    const { placement, decider, announce, transport } = await cluster();
    const applied: Record<string, number>[] = [];
    const follower = new PlacementFollower({ placement, transport, prefix: "fuse", node: "n3", log: neverLog, apply: async (shares) => void applied.push(shares) });
    await decider.round();
    await follower.start();
    expect(applied.at(-1)).toEqual({ greeter: 2 });
    await announce("n3", { stopped: true });
    await decider.round();
    await new Promise((r) => setTimeout(r, 50));
    expect(applied.at(-1)).toEqual({ greeter: 0 });
    // A decision that leaves this node's shares as they were applies nothing again (scaling a
    // group again would revive instances the supervisor gave up on).
    const count = applied.length;
    await announce("n1", { placeable: [{ name: "greeter", instances: 6 }, { name: "other", instances: 0 }] });
    await decider.round();
    await new Promise((r) => setTimeout(r, 50));
    expect(applied.slice(count)).toEqual([{ other: 0 }]);
    follower.stop();
  });

  it("takes a published decision while the store refuses it, and never goes back to an older stored one", async () => {
    const c = await cluster();
    const applied: Record<string, number>[] = [];
    const follower = new PlacementFollower({ placement: c.placement, transport: c.transport, prefix: "fuse", node: "n1", log: neverLog, apply: async (shares) => void applied.push(shares) });
    await c.decider.round();
    await follower.start();
    expect(applied).toEqual([{ greeter: 2 }]);
    // JetStream re-elects: writes fail. n3 is lost; the new decision reaches n1 on plain NATS.
    const put = c.placement.put.bind(c.placement);
    c.placement.put = () => Promise.reject(new Error("TIMEOUT"));
    await tick(c, 6001);
    c.lease.term = 2;
    await c.decider.round();
    await waitFor("n1's new share", () => (JSON.stringify(applied.at(-1)) === JSON.stringify({ greeter: 3 }) || undefined), 2000);
    // The stored decision (term 1) read again later changes nothing.
    await follower.consider((await readPlacement(c.placement))!);
    expect(applied.at(-1)).toEqual({ greeter: 3 });
    // The store is back: the next round stores what was published.
    c.placement.put = put;
    await c.decider.round();
    expect(await readPlacement(c.placement)).toMatchObject({ term: 2, actors: { greeter: { n1: 3, n2: 3 } } });
    follower.stop();
  });
});
