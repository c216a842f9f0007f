import { describe, expectTypeOf, it } from "vitest";
import { defineEndpoint, z, type ActorContext, type CallResult } from "../../runtime/sdk/index.ts";

describe("SDK types", () => {
  it("infers a handler's input from its zod schema and checks its output", () => {
    defineEndpoint({
      input: z.object({ name: z.string(), age: z.number().optional() }),
      output: z.object({ ok: z.boolean() }),
      handler: (input) => {
        expectTypeOf(input).toEqualTypeOf<{ name: string; age?: number | undefined }>();
        return { ok: true };
      },
    });
    defineEndpoint({
      input: z.object({}),
      output: z.object({ ok: z.boolean() }),
      // @ts-expect-error the output must match its schema
      handler: () => ({ ok: "yes" }),
    });
  });

  it("types ctx.call's result by its type argument and tryCall as a result", () => {
    expectTypeOf<ActorContext["call"]>().returns.toEqualTypeOf<Promise<unknown>>();
    const ctx = {} as ActorContext;
    expectTypeOf(ctx.call<{ count: number }>("counter.get", {})).toEqualTypeOf<Promise<{ count: number }>>();
    expectTypeOf(ctx.tryCall<{ count: number }>("counter.get")).toEqualTypeOf<Promise<CallResult<{ count: number }>>>();
  });
});
