import { describe, expect, it } from "vitest";
import { planReconcile } from "../../../runtime/hub/live-changes/reconcile.ts";
import type { ActorPlan } from "../../../runtime/config/index.ts";

const plan = (name: string, over: Partial<ActorPlan> = {}): ActorPlan => ({ name, module: `/a/${name}.ts`, instances: 1, env: {}, builtin: false, ...over });

describe("reconcile plan", () => {
  it("starts new actors, stops removed ones, rescales and restarts changed ones", () => {
    const result = planReconcile(
      [plan("keep"), plan("gone"), plan("grow"), plan("env", { env: { A: "1" } }), plan("moved")],
      [plan("keep"), plan("grow", { instances: 3 }), plan("env", { env: { A: "2" } }), plan("moved", { module: "/b.ts" }), plan("new")],
    );
    expect(result).toEqual({
      start: [plan("new")],
      stop: ["gone"],
      scale: [{ name: "grow", instances: 3 }],
      restart: [plan("env", { env: { A: "2" } }), plan("moved", { module: "/b.ts" })],
    });
  });

  it("never stops a built-in actor because the config does not list it", () => {
    expect(planReconcile([plan("gateway", { builtin: true })], []).stop).toEqual([]);
  });
});
