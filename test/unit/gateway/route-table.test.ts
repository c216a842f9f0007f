import { describe, expect, it } from "vitest";
import { buildRouteTable, compilePath, matchRoute, splitPath } from "../../../runtime/gateway/index.ts";
import type { DiscoveredService } from "../../../runtime/sdk/internal.ts";

const service = (actor: string, id: string, endpoints: { name: string; http?: { method: "GET" | "POST"; path: string } }[]): DiscoveredService => ({
  actor,
  id,
  version: "1.0.0",
  description: "",
  endpoints: endpoints.map((e) => ({ ...e, subject: `fuse.${actor}.${e.name}`, input: { type: "object", properties: { id: { type: "integer" } } }, output: {} })),
});

describe("route table", () => {
  it("lets instances of one actor share its routes", () => {
    const table = buildRouteTable([service("a", "1", [{ name: "get", http: { method: "GET", path: "/things/:id" } }]), service("a", "2", [{ name: "get", http: { method: "GET", path: "/things/:id" } }])]);
    expect(table.conflicts).toEqual([]);
    expect(table.actors.get("a")).toMatchObject({ live: true, instances: 2 });
    expect(matchRoute(table, "GET", splitPath("/things/7"))?.entry.target).toBe("a.get");
  });

  it("reports two actors claiming the same route shape as a conflict and serves neither", () => {
    const table = buildRouteTable([service("b", "1", [{ name: "x", http: { method: "GET", path: "/t/:key" } }]), service("a", "1", [{ name: "y", http: { method: "GET", path: "/t/:id" } }])]);
    expect(table.conflicts.map((c) => c.claimants)).toEqual([["a.y", "b.x"]]);
    expect(matchRoute(table, "GET", splitPath("/t/1"))).toBeUndefined();
  });

  it("reports a route on the gateway's own paths as a conflict with the gateway", () => {
    const table = buildRouteTable([service("a", "1", [{ name: "x", http: { method: "GET", path: "/health" } }])]);
    expect(table.conflicts[0]?.claimants).toEqual(["gateway", "a.x"]);
  });

  it("prefers a static segment over a parameter", () => {
    const table = buildRouteTable([service("a", "1", [{ name: "one", http: { method: "GET", path: "/t/:id" } }, { name: "me", http: { method: "GET", path: "/t/me" } }])]);
    expect(matchRoute(table, "GET", splitPath("/t/me"))?.entry.target).toBe("a.me");
    expect(matchRoute(table, "GET", splitPath("/t/7"))?.entry.target).toBe("a.one");
  });

  it("keeps an actor that missed one discovery round live, and marks it offline after two, keeping its endpoints", () => {
    const first = buildRouteTable([service("a", "1", [{ name: "get" }])]);
    const once = buildRouteTable([], first);
    expect(once.actors.get("a")).toMatchObject({ live: true, missed: 1 });
    const twice = buildRouteTable([], once);
    expect(twice.actors.get("a")).toMatchObject({ live: false, instances: 0 });
    expect(twice.actors.get("a")!.endpoints.has("get")).toBe(true);
    expect(twice.signature).not.toBe(first.signature);
  });

  it("keeps an endpoint that a live actor stopped listing for one round, as an instance still registering it answers without it", () => {
    const first = buildRouteTable([service("a", "1", [{ name: "get", http: { method: "GET", path: "/things/:id" } }])]);
    const once = buildRouteTable([service("a", "2", [])], first);
    expect(once.actors.get("a")!.endpoints.get("get")).toMatchObject({ missed: 1 });
    expect(matchRoute(once, "GET", splitPath("/things/7"))?.entry.target).toBe("a.get");
    const back = buildRouteTable([service("a", "2", [{ name: "get" }])], once);
    expect(back.actors.get("a")!.endpoints.get("get")?.missed).toBeUndefined();
    const twice = buildRouteTable([service("a", "2", [])], once);
    expect(twice.actors.get("a")!.endpoints.has("get")).toBe(false);
    expect(matchRoute(twice, "GET", splitPath("/things/7"))).toBeUndefined();
  });

  it("lists invalid routes with what is wrong", () => {
    const table = buildRouteTable([service("a", "1", [{ name: "x", http: { method: "GET", path: "no-slash" } }])]);
    expect(table.invalid).toEqual([{ target: "a.x", method: "GET", path: "no-slash", message: 'path "no-slash" must start with "/"' }]);
  });

  it("compiles paths and refuses dot segments and repeated parameters", () => {
    expect(compilePath("/a/:b/c")).toMatchObject({ ok: true, pattern: { params: ["b"], shape: "/a/:/c" } });
    expect(compilePath("/a/../b")).toMatchObject({ ok: false });
    expect(compilePath("/a/:x/:x")).toEqual({ ok: false, message: 'path "/a/:x/:x" repeats parameter "x"' });
  });
});
