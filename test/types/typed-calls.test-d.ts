import { describe, expectTypeOf, it } from "vitest";
import { defineActor, defineEndpoint, z, type ActorContext } from "../../runtime/sdk/index.ts";
import type Counter from "../../actors/counter/index.ts";

// A callee whose schemas differ on each side: a default (optional in, present out) and a transform.
export const catalog = defineActor({
  name: "catalog",
  endpoints: {
    quote: defineEndpoint({
      input: z.object({ sku: z.string(), quantity: z.number().int().default(1) }),
      output: z.object({ total: z.number(), currency: z.string().transform((c) => c.toUpperCase() as "EUR" | "USD") }),
      handler: () => ({ total: 1, currency: "eur" }),
    }),
    list: defineEndpoint({
      input: z.object({ limit: z.number().optional() }),
      output: z.array(z.string()),
      handler: () => [],
    }),
  },
});
type Catalog = typeof catalog;
const ctx = {} as ActorContext;

describe("typed calls (ctx.client)", () => {
  it("keeps an actor's literal name in its type", () => {
    expectTypeOf<Catalog["name"]>().toEqualTypeOf<"catalog">();
    expectTypeOf<(typeof Counter)["name"]>().toEqualTypeOf<"counter">();
  });

  it("types input as the callee's schema accepts it and the result as it produces it", () => {
    const client = ctx.client<Catalog>("catalog");
    expectTypeOf(client.quote).parameter(0).toEqualTypeOf<{ sku: string; quantity?: number | undefined }>();
    expectTypeOf(client.quote({ sku: "a" })).toEqualTypeOf<Promise<{ total: number; currency: "EUR" | "USD" }>>();
    expectTypeOf(client.list()).toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(ctx.client<typeof Counter>("counter").increment({ key: "ada" })).resolves.toEqualTypeOf<{ key: string; count: number }>();
  });

  it("refuses a misspelt actor name, a misspelt endpoint, a wrong input and a wrong use of the output", async () => {
    // @ts-expect-error the callee is named "catalog"
    ctx.client<Catalog>("catalogue");
    // @ts-expect-error catalog has no endpoint "quotes"
    void ctx.client<Catalog>("catalog").quotes({ sku: "a" });
    // @ts-expect-error "skew" is not a field of quote's input
    void ctx.client<Catalog>("catalog").quote({ skew: "a" });
    // @ts-expect-error quantity must be a number
    void ctx.client<Catalog>("catalog").quote({ sku: "a", quantity: "2" });
    // @ts-expect-error quote needs an input (sku is required)
    void ctx.client<Catalog>("catalog").quote();
    const { total } = await ctx.client<Catalog>("catalog").quote({ sku: "a" });
    // @ts-expect-error total is a number
    total.toUpperCase();
    const quote = await ctx.client<Catalog>("catalog").quote({ sku: "a" });
    // @ts-expect-error the output has no field "price"
    void quote.price;
  });

  it("keeps the string form, with its hand-written result type", () => {
    expectTypeOf(ctx.call<{ count: number }>("counter.increment", { key: "ada" })).toEqualTypeOf<Promise<{ count: number }>>();
  });
});
