import { describe, expect, it } from "vitest";
import { buildApiIndex, buildOpenApi, buildRouteTable } from "../../../runtime/gateway/index.ts";
import type { DiscoveredService } from "../../../runtime/sdk/internal.ts";

const service = (actor: string, id: string, node?: string): DiscoveredService => ({
  actor,
  id,
  version: "1.0.0",
  description: "",
  ...(node ? { node } : {}),
  endpoints: [{ name: "hello", subject: `fuse.${actor}.hello`, input: { type: "object" }, output: {} }],
});

describe("where instances run, in the route table, /api and OpenAPI", () => {
  it("counts a cluster's instances per node, sorted by node in /api and in the actor's OpenAPI tag", () => {
    const table = buildRouteTable([service("greeter", "1", "b"), service("greeter", "2", "a"), service("greeter", "3", "b")]);
    expect(table.actors.get("greeter")).toMatchObject({ instances: 3, nodes: { a: 1, b: 2 } });
    const index = buildApiIndex(table);
    expect(index.actors[0]!.nodes).toEqual({ a: 1, b: 2 });
    expect(Object.keys(index.actors[0]!.nodes!)).toEqual(["a", "b"]);
    const openapi = buildOpenApi(index, "http://127.0.0.1:1") as { tags: { name: string; "x-fuse-nodes"?: unknown }[] };
    expect(openapi.tags.find((t) => t.name === "greeter")?.["x-fuse-nodes"]).toEqual({ a: 1, b: 2 });
  });

  it("names no node on a single machine", () => {
    const table = buildRouteTable([service("greeter", "1"), service("greeter", "2")]);
    expect(table.actors.get("greeter")!.nodes).toBeUndefined();
    expect("nodes" in buildApiIndex(table).actors[0]!).toBe(false);
    const openapi = buildOpenApi(buildApiIndex(table), "http://127.0.0.1:1") as { tags: Record<string, unknown>[] };
    expect(openapi.tags.every((t) => !("x-fuse-nodes" in t))).toBe(true);
  });

  it("changes the table's signature when instances move between nodes, not when they answer in another order", () => {
    const first = buildRouteTable([service("greeter", "1", "a"), service("greeter", "2", "b")]);
    const reordered = buildRouteTable([service("greeter", "2", "b"), service("greeter", "1", "a")], first);
    const moved = buildRouteTable([service("greeter", "1", "a"), service("greeter", "2", "a")], first);
    expect(reordered.signature).toBe(first.signature);
    expect(moved.signature).not.toBe(first.signature);
  });

  it("leaves out the nodes of an actor gone offline", () => {
    const first = buildRouteTable([service("greeter", "1", "a")]);
    const offline = buildRouteTable([], buildRouteTable([], first));
    expect(offline.actors.get("greeter")!.live).toBe(false);
    expect("nodes" in buildApiIndex(offline).actors[0]!).toBe(false);
  });
});
