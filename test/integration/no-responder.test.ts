import { connect, type NatsConnection } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, callEndpoint, connectNats, notDelivered } from "../../runtime/bus/index.ts";
import { mayRetry } from "../../runtime/sdk/caller.ts";
import type { FuseError } from "../../runtime/errors/index.ts";
import { startNats, type NatsHarness } from "../helpers/index.ts";
import { standInInstance } from "../helpers/stand-in-instance.ts";

// A request that finds no responder is explained by asking the actor's instances what they
// serve. An instance that answers `$SRV.INFO` while its endpoint's subscription is not in yet
// (it is starting) must not make the call a permanent ENDPOINT_NOT_FOUND: a fresh-clone run
// saw exactly that, 9 ms into a call that was waiting for the actor to start.
describe("a request that no instance took", () => {
  let nats: NatsHarness;
  let nc: NatsConnection;
  let transport: NatsTransport;
  /** What each test started that listens on the bus, stopped after it. */
  const stopAfterEach: (() => void)[] = [];

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
    transport = new NatsTransport(await connectNats({ url: nats.url, name: "caller" }));
  });
  afterEach(() => {
    for (const stop of stopAfterEach.splice(0)) stop();
  });
  afterAll(async () => {
    await transport?.close();
    await nc?.close();
    await nats?.stop();
  });

  /** An instance of `actor` that is live, declares `subjects` and serves none of them. */
  async function infoOnly(actor: string, subjects: string[]): Promise<void> {
    const instance = await standInInstance(nc, actor, subjects);
    stopAfterEach.push(instance.stop);
  }

  async function failure(actor: string, endpoint: string): Promise<FuseError> {
    const target = { subject: `fuse.${actor}.${endpoint}`, actor, endpoint };
    return (await callEndpoint(transport, target, {}, { timeoutMs: 2_000, headers: {} }).catch((e: unknown) => e)) as FuseError;
  }

  it("is NO_LIVE_INSTANCE, retryable and not delivered, while a live instance declares the endpoint but is not subscribed to it", async () => {
    await infoOnly("starting", ["fuse.starting.work"]);
    const error = await failure("starting", "work");
    expect(error).toMatchObject({ code: "NO_LIVE_INSTANCE", retryable: true });
    expect(notDelivered(error)).toBe(true);
    expect(mayRetry(error, false)).toBe(true);
  });

  it("matches a declared wildcard subject", async () => {
    await infoOnly("wild", ["fuse.wild.*"]);
    expect(await failure("wild", "anything")).toMatchObject({ code: "NO_LIVE_INSTANCE" });
  });

  it("is ENDPOINT_NOT_FOUND, not retried, when every live instance answers without that endpoint", async () => {
    await infoOnly("other", ["fuse.other.work"]);
    const error = await failure("other", "missing");
    expect(error).toMatchObject({ code: "ENDPOINT_NOT_FOUND", status: 404 });
    expect(notDelivered(error)).toBe(true);
    expect(mayRetry(error, false)).toBe(false);
  });

  it("is NO_LIVE_INSTANCE when no instance of the actor answers at all", async () => {
    const error = await failure("nobody", "work");
    expect(error).toMatchObject({ code: "NO_LIVE_INSTANCE", retryable: true });
    expect(notDelivered(error)).toBe(true);
  });

  it("succeeds on a later attempt once the starting instance's endpoint is subscribed (sent 1, failed first 1, succeeded 1)", async () => {
    await infoOnly("late", ["fuse.late.work"]);
    const target = { subject: "fuse.late.work", actor: "late", endpoint: "work" };
    const first = (await callEndpoint(transport, target, {}, { timeoutMs: 2_000, headers: {} }).catch((e: unknown) => e)) as FuseError;
    expect(mayRetry(first, false)).toBe(true);
    const served = nc.subscribe("fuse.late.work", { callback: (_err, msg) => msg.respond(JSON.stringify({ ok: true })) });
    stopAfterEach.push(() => served.unsubscribe());
    await nc.flush();
    await expect(callEndpoint(transport, target, {}, { timeoutMs: 2_000, headers: {} })).resolves.toEqual({ ok: true });
  });
});
