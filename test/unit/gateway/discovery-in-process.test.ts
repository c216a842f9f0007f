import { describe, expect, it } from "vitest";
import { createTestHub, defineActor, defineEndpoint, z } from "../../../runtime/sdk/index.ts";
import { createGatewayActor } from "../../../runtime/gateway/index.ts";

const shop = defineActor({
  name: "shop",
  endpoints: {
    item: defineEndpoint({
      description: "One item",
      input: z.object({ id: z.string() }),
      output: z.object({ id: z.string(), seen: z.string().nullable() }),
      http: { method: "GET", path: "/items/:id" },
      handler: ({ id }, ctx) => ({ id, seen: ctx.http?.cookies.seen ?? null }),
    }),
  },
});

describe("gateway on the in-process bus", () => {
  it("discovers actors with their schemas and routes through ctx.discover", async () => {
    const probe = defineActor({ name: "probe", endpoints: { list: defineEndpoint({ input: z.object({}), output: z.unknown(), handler: (_i, ctx) => ctx.discover() }) } });
    const hub = await createTestHub([shop, probe], { instances: 2 });
    try {
      const services = (await hub.call("probe.list")) as { actor: string; endpoints: { name: string; http?: unknown; input: { properties: object } }[] }[];
      const shops = services.filter((s) => s.actor === "shop");
      expect(shops).toHaveLength(2);
      expect(shops[0]!.endpoints[0]).toMatchObject({ name: "item", http: { method: "GET", path: "/items/:id" }, description: "One item" });
      expect(shops[0]!.endpoints[0]!.input.properties).toHaveProperty("id");
    } finally {
      await hub.stop();
    }
  });

  it("serves HTTP for actors on the in-process bus, cookies included", async () => {
    const gateway = createGatewayActor({ port: 0 });
    const hub = await createTestHub([shop, gateway]);
    try {
      const { url } = (await hub.call("gateway.info")) as { url: string };
      const res = await fetch(`${url}/items/42`, { headers: { cookie: "seen=yes" } });
      expect(await res.json()).toEqual({ id: "42", seen: "yes" });
    } finally {
      await hub.stop();
    }
  });
});
