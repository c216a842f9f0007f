import { UnavailableError } from "../../errors/index.ts";
import type { Statement } from "../../sdk/internal.ts";
import { insertStatement, recordOf, type RunStore, type StoredRun } from "../store/run-store.ts";
import type { RunWriter } from "../store/run-writer.ts";
import type { RunRecord } from "./run-types.ts";

export interface NewRunOptions {
  store: RunStore;
  writer: RunWriter;
  /** The run's row (an input over the payload limit replaced by its file reference). */
  row: StoredRun;
  /** The run as its steps and the caller see it. */
  record: RunRecord;
  idempotencyKey?: string;
  owner?: string;
  /** A rerun's or child run's link, written with the run. */
  link?: Statement;
  /** The caller hears of the run only once it has ended: its record may join the next coalesced write. */
  untilEnd?: boolean;
  /**
   * Starts the run's steps, given what writes the run's end as its insert while that still
   * waits to be written; returns what undoes the start when the run could not be recorded.
   */
  launch(foldIntoInsert: (end: RunRecord, outputText: string | null) => Promise<void> | undefined): () => void;
}

/**
 * Records a new run and launches it. The first steps start while the record is being written;
 * the caller hears back only once it is in, since a run it was told about must survive a crash.
 * A run with an idempotency key starts its steps only once its record is in: a repeat of the
 * request that loses the race for the key must not have called anything, and gets the run
 * that won instead. @throws UNAVAILABLE when the run could not be recorded.
 */
export async function recordNewRun(options: NewRunOptions): Promise<RunRecord> {
  const { store, writer, row, idempotencyKey } = options;
  const keyed = idempotencyKey !== undefined;
  const insertKey = `insert:${row.id}`;
  const inserted = writer.put(insertKey, insertStatement(row, idempotencyKey, options.owner), { immediate: keyed || !options.untilEnd });
  // A run that ends before its row is written (a short run whose caller waits for its end) is
  // written once, ended: one statement instead of an insert and an update of the same row.
  const foldIntoInsert = (end: RunRecord, outputText: string | null) =>
    writer.amend(insertKey, () => insertStatement({ ...row, ...end, input: row.input }, idempotencyKey, options.owner, outputText), { immediate: true });
  const refused = async (error: unknown): Promise<RunRecord> => {
    const existing = keyed ? await store.byIdempotencyKey(idempotencyKey) : undefined;
    if (existing) return recordOf(existing);
    throw new UnavailableError(`run of task "${row.task}" could not be recorded`, { cause: error });
  };
  if (keyed) {
    try {
      await inserted;
    } catch (error) {
      return refused(error);
    }
  }
  const linked = options.link ? writer.put(`link:${row.id}`, options.link, { immediate: true }) : undefined;
  const undo = options.launch(foldIntoInsert);
  try {
    await inserted;
    await linked;
  } catch (error) {
    undo();
    return refused(error);
  }
  return options.record;
}
