import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnyActor, FuseError } from "../../runtime/sdk/index.ts";
import { entered, mover, probe, relay } from "./call-actors.ts";

export interface CallHarness {
  call<T = unknown>(target: string, input?: unknown, options?: { traceId?: string; timeout?: number; retries?: number }): Promise<T>;
  /** Starts an actor after the harness is up (to test calls waiting for an instance). */
  startLater(actor: AnyActor): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The behaviour of calls that must be the same in-process and over NATS: context
 * propagation, error codes and error stacks.
 */
export function describeCallBehaviour(name: string, start: (actors: AnyActor[]) => Promise<CallHarness>): void {
  describe(`calls (${name})`, () => {
    let hub: CallHarness;
    beforeAll(async () => {
      hub = await start([probe, relay, mover]);
    });
    afterAll(() => hub?.stop());

    it("keeps trace ids apart across 1,000 concurrent interleaved requests, through ALS too", async () => {
      const ids = Array.from({ length: 1000 }, (_, i) => `trace${String(i).padStart(27, "0")}`);
      const replies = await Promise.all(
        ids.map((traceId, i) =>
          hub.call<{ own: string; downstream: { traceId: string; als: string } }>("relay.chain", { wait: (i * 7) % 13 }, { traceId }),
        ),
      );
      const mismatched = replies.filter(
        (r, i) => r.own !== ids[i] || r.downstream.traceId !== ids[i] || r.downstream.als !== ids[i],
      );
      expect(mismatched).toEqual([]);
    });

    it("carries the caller's deadline and name down the chain", async () => {
      const reply = await hub.call<{ deadline: number; downstream: { deadline: number; caller: string } }>("relay.chain", { wait: 0 }, { timeout: 5000 });
      expect(reply.downstream.deadline).toBe(reply.deadline);
      expect(reply.downstream.caller).toBe("relay");
    });

    it("tells an unknown endpoint (404) from an actor with no live instance (503) and a passed deadline (504)", async () => {
      await expect(hub.call("relay.missing")).rejects.toMatchObject({ code: "ENDPOINT_NOT_FOUND", status: 404, actor: "probe" });
      await expect(hub.call("nobody.here", {}, { retries: 0 })).rejects.toMatchObject({ code: "NO_LIVE_INSTANCE", status: 503, retryable: true });
      await expect(hub.call("relay.timeout")).rejects.toMatchObject({ code: "DEADLINE_EXCEEDED", status: 504 });
    });

    it("retries a call while no instance is live and succeeds once one starts", async () => {
      const late = { ...probe, name: "late" } as AnyActor;
      const pending = hub.call<{ traceId: string }>("late.where", { wait: 0 }, { retries: 8 });
      await hub.startLater(late);
      await expect(pending).resolves.toMatchObject({ traceId: expect.any(String) });
    });

    it("sends again a request refused before any handler ran (Fuse-Not-Run), never one whose handler failed with such a refusal", async () => {
      const before = { ...entered };
      await expect(hub.call("mover.refuse", {}, { retries: 2 })).rejects.toMatchObject({ code: "NO_LIVE_INSTANCE", retryable: true });
      expect(entered.refuse - before.refuse).toBe(3);
      // relay's handler ran: its caller does not run it again, although the error it passed on is the same refusal.
      await expect(hub.call("relay.pass-on", {}, { retries: 2 })).rejects.toMatchObject({ code: "NO_LIVE_INSTANCE", retryable: true, actor: "mover" });
      expect(entered.passOn - before.passOn).toBe(1);
      expect(entered.refuse - before.refuse).toBe(4);
    });

    it("throws an error whose stack shows the caller's frames and the bus crossing, not framework frames", async () => {
      async function userCode() {
        return await hub.call("relay.missing");
      }
      const error = (await userCode().catch((e: unknown) => e)) as FuseError;
      const lines = error.stack!.split("\n");
      expect(lines[0]).toBe('NotFoundError [ENDPOINT_NOT_FOUND]: actor "probe" has no endpoint "nothing-here"');
      expect(lines[1]).toBe('    at <bus> relay.missing (remote actor "probe")');
      expect(lines.some((l) => l.includes("userCode"))).toBe(true);
      expect(lines.some((l) => /node_modules|runtime[\\/](sdk|bus)/.test(l))).toBe(false);
    });
  });
}
