import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO } from "../helpers/index.ts";
import { Outcome, type Attempt } from "./load.ts";

const ARTIFACTS = path.join(REPO, "test/.artifacts");
const CASES = path.join(ARTIFACTS, "faults");

/** The counts of one request stream through a fault. */
export interface LoadCounts {
  sent: number;
  succeeded: number;
  /** Failed requests by error code (an answer came). */
  failed: Record<string, number>;
  /** Requests that got no answer at all. */
  noAnswer: number;
  /** From the fault to the end of the first successful request that left after it, ms. */
  faultToFirstOkMs: number | null;
  /** Failed requests (or unanswered ones) that left before the fault or after the window closed. */
  failuresOutside: number;
}

/** One row of the results table. */
export interface CaseRecord extends LoadCounts {
  /** 1…7, the order of the table. */
  id: number;
  /** The fault, short: "kill -9 nats-server". */
  fault: string;
  load: string;
  /** Requests of the load in flight when the fault struck. */
  inflightAtFault: number | null;
  /** From the fault to its process seen back (revived, replaced), ms; null where nothing comes back. */
  faultToBackMs: number | null;
  /** The bound the case asserts, in words ("first ok ≤ 10 s"). */
  bound: string;
  /** Database cases: acknowledged rows lost, rows committed while reported not applied, keys stored twice. */
  db?: { acknowledgedLost: number; phantom: number; duplicates: number };
  /** Processes of the hub still alive after it stopped (or, for a killed hub, 10 s after the kill). */
  leftAfterStop: number | null;
  /** What the fault costs a client, one sentence. */
  cost: string;
  /** The command that reruns it. */
  rerun: string;
  at: string;
}

/**
 * Counts a request stream: a failure is *inside* when its request was in flight at the fault
 * or left before `windowEnd` (the later of the first success after the fault and the process
 * seen back); every other failure is outside.
 */
export function countLoad(attempts: readonly Attempt[], faultAt: number | null, windowEnd?: number): LoadCounts {
  const failed: Record<string, number> = {};
  let noAnswer = 0;
  for (const a of attempts) {
    if (a.outcome === Outcome.noAnswer) noAnswer++;
    else if (a.outcome !== Outcome.ok) failed[a.outcome] = (failed[a.outcome] ?? 0) + 1;
  }
  const okAfter = faultAt === null ? [] : attempts.filter((a) => a.outcome === Outcome.ok && a.start >= faultAt).map((a) => a.end);
  const firstOk = okAfter.length ? Math.min(...okAfter) : null;
  const end = Math.max(windowEnd ?? 0, firstOk ?? 0);
  const inside = (a: Attempt) => faultAt !== null && a.end >= faultAt && a.start <= end;
  return {
    sent: attempts.length,
    succeeded: attempts.filter((a) => a.outcome === Outcome.ok).length,
    failed,
    noAnswer,
    faultToFirstOkMs: faultAt !== null && firstOk !== null ? firstOk - faultAt : null,
    failuresOutside: attempts.filter((a) => a.outcome !== Outcome.ok && !inside(a)).length,
  };
}

/** Two request streams counted as one. */
export function addCounts(a: LoadCounts, b: LoadCounts): LoadCounts {
  const failed = { ...a.failed };
  for (const [code, n] of Object.entries(b.failed)) failed[code] = (failed[code] ?? 0) + n;
  const firsts = [a.faultToFirstOkMs, b.faultToFirstOkMs].filter((ms): ms is number => ms !== null);
  return {
    sent: a.sent + b.sent,
    succeeded: a.succeeded + b.succeeded,
    failed,
    noAnswer: a.noAnswer + b.noAnswer,
    faultToFirstOkMs: firsts.length ? Math.min(...firsts) : null,
    failuresOutside: a.failuresOutside + b.failuresOutside,
  };
}

const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(2)} s`);
const codes = (failed: Record<string, number>) =>
  Object.entries(failed)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, n]) => `${code} ${n}`)
    .join(", ") || "0";

/** The results table, in markdown. */
export function renderTable(records: CaseRecord[]): string {
  const head = ["#", "fault", "load", "in flight at fault", "sent", "ok", "failed (by code)", "no answer", "acked lost / phantom / dup", "fault → first ok", "fault → back", "bound", "failures outside", "left after stop"];
  const rows = records.map((r) => [
    String(r.id),
    r.fault,
    r.load,
    r.inflightAtFault === null ? "—" : String(r.inflightAtFault),
    String(r.sent),
    String(r.succeeded),
    codes(r.failed),
    String(r.noAnswer),
    r.db ? `${r.db.acknowledgedLost} / ${r.db.phantom} / ${r.db.duplicates}` : "—",
    seconds(r.faultToFirstOkMs),
    seconds(r.faultToBackMs),
    r.bound,
    String(r.failuresOutside),
    r.leftAfterStop === null ? "—" : String(r.leftAfterStop),
  ]);
  return [head, head.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** What each fault costs a client, and the command that reruns it, one line a case. */
export function renderCosts(records: CaseRecord[]): string {
  return records.map((r) => `- **${r.id}. ${r.fault}**: ${r.cost} Rerun: \`${r.rerun}\``).join("\n");
}

// Written whole, then renamed: another worker may read it at any moment.
function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.${process.pid}.tmp`, text);
  renameSync(`${file}.${process.pid}.tmp`, file);
}

/**
 * Writes the records of one test file to `test/.artifacts/faults/<file>.json`, then the whole
 * table (every file's latest records) to `test/.artifacts/faults.json` and `faults.md`, and
 * returns the table in markdown. Files run in parallel workers: the last to finish writes the
 * complete table.
 */
export function writeReport(file: string, records: CaseRecord[]): string {
  mkdirSync(CASES, { recursive: true });
  writeAtomically(path.join(CASES, `${file}.json`), JSON.stringify(records, null, 2));
  const all = readdirSync(CASES)
    .filter((f) => f.endsWith(".json"))
    .flatMap((f) => JSON.parse(readFileSync(path.join(CASES, f), "utf8")) as CaseRecord[])
    .sort((a, b) => a.id - b.id);
  const table = renderTable(all);
  writeAtomically(path.join(ARTIFACTS, "faults.json"), JSON.stringify(all, null, 2));
  writeAtomically(path.join(ARTIFACTS, "faults.md"), `${table}\n\n${renderCosts(all)}\n`);
  return table;
}
