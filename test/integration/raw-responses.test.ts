import { createHash } from "node:crypto";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BodyHeader } from "../../runtime/protocol/index.ts";
import { createHubDir, hubNatsOptions, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// Endpoints that answer with a body that is not JSON, on a real hub: over HTTP as that
// response, over the bus from a plain NATS client in the documented form, and through
// ctx.call from another actor; a body above the bus limit (1 MiB) goes through the object store.

const BIG = 3 * 1024 * 1024;
/** The fixture's bytes: byte i is i % 251. */
function patternBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return bytes;
}

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("responses other than JSON", () => {
  let dir: string;
  let hub: RunningHub;
  let url: string;
  let nc: NatsConnection;

  beforeAll(async () => {
    dir = createHubDir({ actors: { bodies: "bodies" } });
    hub = await startHub(dir);
    url = hub.state.gatewayUrl!;
    nc = await connect(hubNatsOptions(hub.state));
    await waitFor("the route GET /page", async () => (await fetch(`${url}/page`)).status === 201, 20_000);
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  const bus = (endpoint: string, input: unknown) => nc.request(`fuse.bodies.${endpoint}`, JSON.stringify(input), { timeout: 10_000 });
  const api = (endpoint: string, input: unknown) => fetch(`${url}/api/bodies/${endpoint}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) });

  it("answers HTTP with text, its status, type and allowed headers", async () => {
    const text = await fetch(`${url}/text/grace`);
    expect([text.status, text.headers.get("content-type"), text.headers.get("cache-control"), await text.text()]).toEqual([200, "text/plain; charset=utf-8", "max-age=60", "hello grace"]);
    expect(text.headers.get("x-content-type-options")).toBe("nosniff");
    const page = await fetch(`${url}/page`);
    expect([page.status, page.headers.get("content-type"), await page.text()]).toEqual([201, "text/html; charset=utf-8", "<!doctype html><h1>a page</h1>"]);
    expect(page.headers.get("set-cookie")).toMatch(/^seen=1; Path=\//);
  });

  it("answers HTTP with bytes, a stream and a redirect", async () => {
    const bytes = await api("bytes", { size: 5000 });
    expect([bytes.status, bytes.headers.get("content-type"), bytes.headers.get("content-disposition")]).toEqual([200, "application/octet-stream", 'attachment; filename="data.bin"']);
    expect(sha(new Uint8Array(await bytes.arrayBuffer()))).toBe(sha(patternBytes(5000)));
    const csv = await fetch(`${url}/report.csv?lines=4`);
    expect([csv.headers.get("content-type"), await csv.text()]).toEqual(["text/csv; charset=utf-8", "n,square\n1,1\n2,4\n3,9\n4,16\n"]);
    const away = await fetch(`${url}/away`, { redirect: "manual" });
    expect([away.status, away.headers.get("location")]).toEqual([303, "/page"]);
  });

  it("answers HTTP with a body above the bus limit through the object store, and leaves nothing there", async () => {
    const big = await api("bytes", { size: BIG });
    expect([big.status, big.headers.get("content-length")]).toEqual([200, String(BIG)]);
    expect(sha(new Uint8Array(await big.arrayBuffer()))).toBe(sha(patternBytes(BIG)));
    const bodies = await nc.jetstream().views.os("fuse-bodies");
    // The gateway deletes the object once it has sent the last byte: the client may have read
    // it a moment before the delete lands.
    const left = async () => (await bodies.list()).filter((info) => !info.deleted).map((info) => info.name);
    await waitFor("the body's object deleted", async () => (await left()).length === 0, 10_000).catch(() => undefined);
    expect(await left()).toEqual([]);
  });

  it("replies on the bus with the bytes and Fuse-Body-Type / Fuse-Body-Status, or the object's name when too large", async () => {
    const page = await bus("page", {});
    expect([page.headers?.get(BodyHeader.type), page.headers?.get(BodyHeader.status), page.string()]).toEqual(["text/html; charset=utf-8", "201", "<!doctype html><h1>a page</h1>"]);
    const small = await bus("bytes", { size: 100 });
    expect([small.headers?.get(BodyHeader.status), sha(small.data)]).toEqual(["", sha(patternBytes(100))]);
    const away = await bus("away", {});
    expect([away.headers?.get(BodyHeader.status), away.headers?.get("Fuse-Http-Header-location"), away.data.length]).toEqual(["303", "/page", 0]);
    const big = await bus("bytes", { size: BIG });
    const where = big.headers!.get(BodyHeader.object);
    expect([big.data.length, big.headers!.get(BodyHeader.size), where]).toEqual([0, String(BIG), expect.stringMatching(/^fuse-bodies\/[0-9a-f-]{36}$/)]);
    const [bucket, name] = where.split("/") as [string, string];
    const store = await nc.jetstream().views.os(bucket);
    const stored = new Uint8Array(await new Response((await store.get(name))!.data).arrayBuffer());
    expect(sha(stored)).toBe(sha(patternBytes(BIG)));
    // Whoever reads it deletes it.
    await store.delete(name);
  });

  it("gives ctx.call a Response, also for a body above the bus limit", async () => {
    const called = async (target: string, input: unknown) => (await (await api("relay", { target, input })).json()) as Record<string, unknown>;
    expect(await called("bodies.text", { name: "ada" })).toEqual({ isResponse: true, status: 200, type: "text/plain; charset=utf-8", size: 9, sha: sha(new TextEncoder().encode("hello ada")), location: null });
    expect(await called("bodies.away", {})).toMatchObject({ isResponse: true, status: 303, location: "/page", size: 0 });
    expect(await called("bodies.bytes", { size: BIG })).toMatchObject({ isResponse: true, status: 200, size: BIG, sha: sha(patternBytes(BIG)) });
  });

  it("refuses a Response from an endpoint whose output is not declared rawOutput", async () => {
    const answer = await api("undeclared", {});
    expect(answer.status).toBe(500);
    expect(((await answer.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "OUTPUT_INVALID",
      message: "bodies.undeclared output: the handler returned a Response, but the endpoint's output is not declared with rawOutput(…)",
    });
  });

  it("describes the bodies in OpenAPI, and sends / to the dashboard when no frontend claims it", async () => {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }> }>> };
    expect(doc.paths["/page"]!.get!.responses["200"]!.content).toEqual({ "text/html": { schema: { type: "string" } } });
    expect(doc.paths["/api/bodies/bytes"]!.post!.responses["200"]!.content).toEqual({ "image/png": { schema: { type: "string", format: "binary" } }, "application/octet-stream": { schema: { type: "string", format: "binary" } } });
    expect(Object.keys(doc.paths["/away"]!.get!.responses)).toContain("3XX");
    const root = await fetch(`${url}/`, { redirect: "manual" });
    expect([root.status, root.headers.get("location")]).toEqual([302, "/dashboard"]);
  });
});
