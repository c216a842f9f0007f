// A request naming an actor the last discovery round missed: the round ends 150 ms after the
// last answer, so an instance that answers later (busy, or on a far cluster node) is asked for
// by name before the request is refused as unknown, and the actors the round did find stay.
import { describe, expect, it } from "vitest";
import { RouteDiscovery } from "../../../runtime/gateway/routes/route-discovery.ts";
import { createLogger } from "../../../runtime/log/index.ts";
import type { DiscoveredService } from "../../../runtime/sdk/internal.ts";

const service = (actor: string, id: string): DiscoveredService => ({
  actor,
  id,
  version: "1",
  description: "",
  endpoints: [{ name: "where", subject: `fuse.${actor}.where`, input: {}, output: {} }],
});

function discoveryWith(round: () => DiscoveredService[], byName: (actor: string) => DiscoveredService[]) {
  const asked: (string | undefined)[] = [];
  const discovery = new RouteDiscovery({
    discover: async (actor) => {
      asked.push(actor);
      return actor ? byName(actor) : round();
    },
    log: createLogger({ actor: "test", level: "silent" }),
    intervalMs: 60_000,
    missIntervalMs: 0,
  });
  return { discovery, asked };
}

describe("route discovery after a miss", () => {
  it("asks a missed actor's instances by name, and keeps what the round found", async () => {
    const { discovery, asked } = discoveryWith(() => [service("near", "n1")], (actor) => (actor === "far" ? [service("far", "f1"), service("far", "f2")] : []));
    await discovery.refresh();
    expect([...discovery.table.actors.keys()]).toEqual(["near"]);
    const table = await discovery.refreshOnMiss("far");
    expect(asked).toEqual([undefined, undefined, "far"]);
    expect(table.actors.get("far")).toMatchObject({ live: true, instances: 2 });
    expect(table.actors.get("far")!.endpoints.has("where")).toBe(true);
    // The round's actors are not counted as missed by the question about one actor.
    expect(table.actors.get("near")).toMatchObject({ live: true, instances: 1, missed: 0 });
  });

  it("refuses an actor nobody serves after both, and does not ask by name for one the round found", async () => {
    const { discovery, asked } = discoveryWith(() => [service("near", "n1")], () => []);
    await discovery.refresh();
    expect((await discovery.refreshOnMiss("ghost")).actors.has("ghost")).toBe(false);
    expect(asked).toEqual([undefined, undefined, "ghost"]);
    await discovery.refreshOnMiss("near");
    expect(asked).toEqual([undefined, undefined, "ghost", undefined]);
  });
});
