import { describe, expect, it } from "vitest";
import { createTestHub, defineActor, defineEndpoint, z } from "../../../runtime/sdk/index.ts";
import { waitFor } from "../../helpers/index.ts";

const seen: { topic: string; payload: unknown; traceId: string }[] = [];
const sent: string[] = [];

const listener = defineActor({
  name: "listener",
  endpoints: {
    note: defineEndpoint({
      input: z.object({ text: z.string() }),
      output: z.object({}),
      handler: ({ text }) => {
        sent.push(text);
        return {};
      },
    }),
  },
  events: {
    "user.created": (payload, ctx) => void seen.push({ topic: "user.created", payload, traceId: ctx.traceId }),
  },
});

const source = defineActor({
  name: "source",
  endpoints: {
    create: defineEndpoint({
      input: z.object({ name: z.string() }),
      output: z.object({ traceId: z.string() }),
      handler: ({ name }, ctx) => {
        ctx.emit("user.created", { name });
        ctx.send("listener.note", { text: `created ${name}` });
        return { traceId: ctx.traceId };
      },
    }),
  },
});

describe("events and fire-and-forget", () => {
  it("delivers an emitted event to the subscribed actor with the emitter's trace id", async () => {
    const hub = await createTestHub([listener, source]);
    try {
      const { traceId } = await hub.call<{ traceId: string }>("source.create", { name: "Ada" });
      const event = await waitFor("the event", () => seen.find((e) => (e.payload as { name: string }).name === "Ada"));
      expect(event).toEqual({ topic: "user.created", payload: { name: "Ada" }, traceId });
    } finally {
      await hub.stop();
    }
  });

  it("runs the target of ctx.send without the sender waiting for it", async () => {
    const hub = await createTestHub([listener, source]);
    try {
      await hub.call("source.create", { name: "Grace" });
      await waitFor("the sent message", () => sent.includes("created Grace"));
    } finally {
      await hub.stop();
    }
  });

  it("rejects an actor definition with a bad endpoint name at definition time", () => {
    expect(() => defineActor({ name: "ok", endpoints: { Bad_Name: defineEndpoint({ input: z.object({}), output: z.object({}), handler: () => ({}) }) } })).toThrowErrorMatchingInlineSnapshot(`[ConfigError: actor "ok" endpoint "Bad_Name": name must be lowercase letters, digits and dashes, starting with a letter (did you mean "bad-name"?)]`);
    expect(() => defineActor({ name: "Nope", endpoints: {} })).toThrowErrorMatchingInlineSnapshot(`[ConfigError: actor "Nope": name must be lowercase letters, digits and dashes, starting with a letter, got "Nope" (did you mean "nope"?)]`);
  });

  it("answers output that breaks the schema with OUTPUT_INVALID (500), naming the field", async () => {
    const liar = defineActor({
      name: "liar",
      endpoints: { get: defineEndpoint({ input: z.object({}), output: z.object({ n: z.number() }), handler: () => ({ n: "one" }) as never }) },
    });
    const hub = await createTestHub([liar]);
    try {
      await expect(hub.call("liar.get")).rejects.toMatchObject({ code: "OUTPUT_INVALID", status: 500, message: "liar.get output.n: Invalid input: expected number, received string" });
    } finally {
      await hub.stop();
    }
  });
});
