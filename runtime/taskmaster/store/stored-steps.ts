import type { StepRecord } from "../run/run-types.ts";
import { refOf, type Payloads } from "./payloads.ts";
import { COMPENSATION_PREFIX, type RunStore } from "./run-store.ts";

export interface StoredSteps {
  steps: Map<string, StepRecord>;
  /** Compensation records by the id of the step they undo. */
  compensations: Map<string, StepRecord>;
}

/**
 * A run's step and compensation records as stored. Outputs kept in files are read back
 * (`full`: a resumed run, `taskmaster.result`) or named by `outputRef` without the output
 * (`taskmaster.status`, which must fit in a bus message).
 */
export async function readStoredSteps(store: RunStore, payloads: Payloads, runId: string, full: boolean): Promise<StoredSteps> {
  const result: StoredSteps = { steps: new Map(), compensations: new Map() };
  for (const row of await store.steps(runId)) {
    let record = row;
    const ref = refOf(row.output);
    if (ref) {
      const { output: _o, ...rest } = row;
      record = full ? { ...rest, output: await payloads.resolve(row.output) } : { ...rest, outputRef: ref };
    }
    if (record.id.startsWith(COMPENSATION_PREFIX)) {
      const id = record.id.slice(COMPENSATION_PREFIX.length);
      result.compensations.set(id, { ...record, id });
    } else result.steps.set(record.id, record);
  }
  return result;
}
