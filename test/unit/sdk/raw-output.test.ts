import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHub, defineActor, defineEndpoint, rawOutput, redirect, respond, z, type TestHub } from "../../../runtime/sdk/index.ts";

// Endpoints answering with a Response, through the SDK's in-process bus: what ctx.call and
// createTestHub hand back, and what is refused.
const pages = defineActor({
  name: "pages",
  endpoints: {
    html: defineEndpoint({ input: z.object({}), output: rawOutput("text/html"), handler: () => respond("<p>hi</p>", { type: "text/html", status: 202, headers: { etag: '"v1"' } }) }),
    lines: defineEndpoint({ input: z.object({}), output: rawOutput("text/plain"), handler: () => respond(Readable.from(["a\n", "b\n"])) }),
    away: defineEndpoint({ input: z.object({}), output: rawOutput([], { redirect: true }), handler: () => redirect("/there", 307) }),
    json: defineEndpoint({ input: z.object({}), output: z.object({ ok: z.boolean() }), handler: () => respond("nope") as never }),
    plain: defineEndpoint({ input: z.object({}), output: rawOutput("text/plain"), handler: () => "not a Response" as never }),
  },
});

describe("rawOutput endpoints in process", () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await createTestHub([pages]);
  });
  afterAll(async () => {
    await hub.stop();
  });

  it("gives the caller the Response: status, type, carried headers and body", async () => {
    const page = await hub.call<Response>("pages.html");
    expect(page).toBeInstanceOf(Response);
    expect([page.status, page.headers.get("content-type"), page.headers.get("etag"), await page.text()]).toEqual([202, "text/html; charset=utf-8", '"v1"', "<p>hi</p>"]);
    expect(await (await hub.call<Response>("pages.lines")).text()).toBe("a\nb\n");
    const away = await hub.call<Response>("pages.away");
    expect([away.status, away.headers.get("location")]).toEqual([307, "/there"]);
  });

  it("refuses a Response where JSON is declared, and anything else where rawOutput is", async () => {
    await expect(hub.call("pages.json")).rejects.toMatchObject({ code: "OUTPUT_INVALID", message: "pages.json output: the handler returned a Response, but the endpoint's output is not declared with rawOutput(…)" });
    await expect(hub.call("pages.plain")).rejects.toMatchObject({ code: "OUTPUT_INVALID" });
  });
});
