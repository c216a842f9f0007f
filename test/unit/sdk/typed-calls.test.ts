import { afterEach, describe, expect, it } from "vitest";
import { createTestHub, defineActor, defineEndpoint, ErrorCode, z, type TestHub } from "../../../runtime/sdk/index.ts";
import counter from "../../../actors/counter/index.ts";
import greeter from "../../../actors/greeter/index.ts";
import ping from "../../types/mutual/ping.ts";
import pong from "../../types/mutual/pong.ts";

// A callee that records which endpoint ran with which input, and a caller using ctx.client on it.
const seen: Array<{ endpoint: string; input: unknown; caller: string | undefined }> = [];
const catalog = defineActor({
  name: "catalog",
  endpoints: {
    quote: defineEndpoint({
      input: z.object({ sku: z.string(), quantity: z.number().int().default(1) }),
      output: z.object({ sku: z.string(), total: z.number() }),
      handler: (input, ctx) => {
        seen.push({ endpoint: "quote", input, caller: ctx.caller });
        return { sku: input.sku, total: input.quantity * 5 };
      },
    }),
    ping: defineEndpoint({
      input: z.object({}),
      output: z.object({ pong: z.literal(true) }),
      handler: (input, ctx) => {
        seen.push({ endpoint: "ping", input, caller: ctx.caller });
        return { pong: true as const };
      },
    }),
  },
});
const shop = defineActor({
  name: "shop",
  endpoints: {
    buy: defineEndpoint({
      input: z.object({ sku: z.string(), quantity: z.number().optional() }),
      output: z.object({ total: z.number(), pong: z.boolean(), thenable: z.boolean() }),
      handler: async ({ sku, quantity }, ctx) => {
        const catalogClient = ctx.client<typeof catalog>("catalog");
        const { total } = await catalogClient.quote({ sku, quantity });
        const { pong } = await catalogClient.ping();
        // Awaiting the client itself must give back the client, not call an endpoint "then".
        const awaited = await Promise.resolve(catalogClient);
        return { total, pong, thenable: awaited !== catalogClient };
      },
    }),
    unknown: defineEndpoint({
      input: z.object({}),
      output: z.object({}),
      handler: async (_input, ctx) => {
        // A client built from an untyped target: the runtime still maps the property to a call.
        await (ctx.client("catalog") as unknown as Record<string, (input: unknown) => Promise<unknown>>).nope!({});
        return {};
      },
    }),
    "bad-name": defineEndpoint({
      input: z.object({}),
      output: z.object({}),
      handler: (_input, ctx) => {
        ctx.client("Catalog");
        return {};
      },
    }),
  },
});

describe("ctx.client (typed calls), in-process", () => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    seen.length = 0;
  });

  it("calls the endpoint named by the property, with the input as given, as the calling actor", async () => {
    hub = await createTestHub([catalog, shop]);
    expect(await hub.call("shop.buy", { sku: "tea", quantity: 3 })).toEqual({ total: 15, pong: true, thenable: false });
    expect(seen).toEqual([
      { endpoint: "quote", input: { sku: "tea", quantity: 3 }, caller: "shop" },
      { endpoint: "ping", input: {}, caller: "shop" },
    ]);
  });

  it("reaches an endpoint the callee lacks as ENDPOINT_NOT_FOUND, like the string form", async () => {
    hub = await createTestHub([catalog, shop]);
    const result = await hub.tryCall("shop.unknown", {});
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe(ErrorCode.ENDPOINT_NOT_FOUND);
  });

  it("refuses an actor name that breaks the naming rule", async () => {
    hub = await createTestHub([catalog, shop]);
    const result = await hub.tryCall("shop.bad-name", {});
    expect(result.ok).toBe(false);
    expect(!result.ok && [result.error.code, result.error.message]).toEqual([
      ErrorCode.VALIDATION_FAILED,
      'ctx.client: actor name must be lowercase letters, digits and dashes, starting with a letter, got "Catalog"',
    ]);
  });

  it("runs the demo greeter, which counts visits through a typed client of the counter", async () => {
    hub = await createTestHub([counter, greeter]);
    await hub.call("greeter.hello", { name: "Ada" });
    expect(await hub.call("greeter.hello", { name: "Ada" })).toEqual({ greeting: "Hello, Ada!", visits: 2 });
  });

  it("lets two actors call each other through typed clients", async () => {
    hub = await createTestHub([ping, pong]);
    expect(await hub.call("ping.ping", { n: 5 })).toEqual({ rounds: 5 });
  });
});
