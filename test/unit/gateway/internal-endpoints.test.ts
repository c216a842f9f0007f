import { describe, expect, it } from "vitest";
import { buildApiIndex, buildOpenApi, buildRouteTable, matchRoute, splitPath } from "../../../runtime/gateway/index.ts";
import type { Access } from "../../../runtime/protocol/index.ts";
import type { DiscoveredService } from "../../../runtime/sdk/internal.ts";

const endpoint = (name: string, access?: Access, http?: { method: "GET"; path: string }) => ({ name, subject: `fuse.vault.${name}`, input: {}, output: {}, ...(access ? { access } : {}), ...(http ? { http } : {}) });
const services: DiscoveredService[] = [
  {
    actor: "vault",
    id: "1",
    version: "1.0.0",
    description: "",
    endpoints: [endpoint("read"), endpoint("open", "public"), endpoint("wipe", { roles: ["admin"] }), endpoint("seal", "internal", { method: "GET", path: "/seal" })],
  },
  { actor: "secret", id: "2", version: "1.0.0", description: "", endpoints: [endpoint("only", "internal")] },
];

describe("internal endpoints in the gateway", () => {
  const table = buildRouteTable(services);

  it("never mounts an internal endpoint's own route", () => {
    expect(matchRoute(table, "GET", splitPath("/seal"))).toBeUndefined();
    expect(table.actors.get("vault")?.endpoints.get("seal")?.access).toBe("internal");
  });

  it("leaves internal endpoints out of the index and OpenAPI (an actor with no other is listed with none), and lists each one's access", () => {
    const index = buildApiIndex(table);
    expect(index.actors.map((a) => [a.name, a.endpoints.length])).toEqual([["secret", 0], ["vault", 3]]);
    expect(index.actors[1]!.endpoints.map((e) => [e.name, e.access])).toEqual([["open", "public"], ["read", "authenticated"], ["wipe", "roles:admin"]]);
    const openapi = JSON.stringify(buildOpenApi(index, "http://127.0.0.1:1"));
    expect(openapi).toContain("/api/vault/wipe");
    expect(openapi).not.toContain("seal");
    expect(openapi).not.toContain("/api/secret/only");
  });
});
