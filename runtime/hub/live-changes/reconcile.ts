import type { ActorPlan } from "../../config/index.ts";

export interface ReconcilePlan {
  start: ActorPlan[];
  stop: string[];
  scale: { name: string; instances: number }[];
  /** Module or environment changed: rolling restart with the new plan. */
  restart: ActorPlan[];
}

const sameEnv = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * What to do to go from the running actors to the configured ones: start the new, stop the
 * removed, rescale, and restart only those whose module or environment changed. Pure.
 */
export function planReconcile(current: readonly ActorPlan[], next: readonly ActorPlan[]): ReconcilePlan {
  const before = new Map(current.map((p) => [p.name, p]));
  const after = new Map(next.map((p) => [p.name, p]));
  const plan: ReconcilePlan = { start: [], stop: [], scale: [], restart: [] };
  for (const [name, old] of before) if (!after.has(name) && !old.builtin) plan.stop.push(name);
  for (const [name, wanted] of after) {
    const old = before.get(name);
    if (!old) {
      plan.start.push(wanted);
      continue;
    }
    const commandChanged = JSON.stringify([old.command, old.args, old.cwd]) !== JSON.stringify([wanted.command, wanted.args, wanted.cwd]);
    if (old.module !== wanted.module || commandChanged || !sameEnv(old.env, wanted.env)) plan.restart.push(wanted);
    // An autoscaled actor's count is the scaler's to decide.
    if (old.instances !== wanted.instances && !wanted.autoscale) plan.scale.push({ name, instances: wanted.instances });
  }
  return plan;
}

export function isEmptyPlan(plan: ReconcilePlan): boolean {
  return !plan.start.length && !plan.stop.length && !plan.scale.length && !plan.restart.length;
}
