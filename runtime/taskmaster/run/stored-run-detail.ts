import type { Payloads } from "../store/payloads.ts";
import { readLinks } from "../store/run-links.ts";
import { recordOf, type RunStore, type StoredRun } from "../store/run-store.ts";
import { readStoredSteps } from "../store/stored-steps.ts";
import type { WaitStore } from "../store/wait-store.ts";
import type { RunDetail } from "./run-types.ts";

export interface StoredRunDetailOptions {
  store: RunStore;
  payloads: Payloads;
  waitStore: WaitStore;
  /** Outputs kept in files are read back (`taskmaster.result`), else named by `outputRef` (`taskmaster.status`). */
  full: boolean;
}

/** A run not running here, as stored: every step in the task's order, its compensations, its links, what its waiting steps wait for. */
export async function readStoredRunDetail(stored: StoredRun, options: StoredRunDetailOptions): Promise<RunDetail> {
  const { store, payloads, waitStore, full } = options;
  const [{ steps, compensations }, links] = await Promise.all([readStoredSteps(store, payloads, stored.id, full), readLinks(store.executor, stored.id)]);
  for (const child of links.children ?? []) {
    const step = steps.get(child.step);
    if (step) step.childRunId = child.runId;
  }
  // What a waiting step waits for is in its wait row (a run read here before its owner resumed it).
  if ([...steps.values()].some((s) => s.status === "waiting")) {
    for (const wait of await waitStore.ofRun(stored.id)) {
      const step = steps.get(wait.stepId);
      if (step?.status !== "waiting" || wait.outcome) continue;
      step.waiting = { kind: wait.kind, ...(wait.dueAt !== undefined ? { dueAt: wait.dueAt } : {}), ...(wait.event !== undefined ? { event: wait.event } : {}), ...(wait.token !== undefined ? { token: wait.token } : {}) };
    }
  }
  const order = (stored.definition as { steps?: { id: string }[] }).steps ?? [];
  const detail: RunDetail = { ...recordOf(stored), ...links, steps: order.map((s) => steps.get(s.id) ?? { id: s.id, status: "pending", attempts: 0 }) };
  if (compensations.size) detail.compensations = [...compensations.values()];
  if (full) {
    detail.input = await payloads.resolve(detail.input);
    detail.output = await payloads.resolve(detail.output);
  }
  return detail;
}
