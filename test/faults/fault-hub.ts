import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import type { HubState } from "../../runtime/protocol/index.ts";
import type { HubDirOptions } from "../helpers/hub.ts";
import { createHubDir, isAlive, killLeftovers, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";
import { writeReport, type CaseRecord } from "./report.ts";

/**
 * A fixture of this folder (`test/faults/fixtures/<name>.ts`) for `createHubDir`'s `actors`,
 * which reads fixtures relative to `test/fixtures/actors`. The SDK import of these files has
 * the same relative path as there, so it is made absolute the same way.
 */
export const faultActor = (name: string) => `../../faults/fixtures/${name}`;

/** A file of this folder for `createHubDir`'s `files`, which copies relative to `test/fixtures`. */
export const faultFile = (name: string) => `../faults/fixtures/${name}`;

/** The hub's state file as it is now (servers' pids change when they are revived). */
export function stateOf(dir: string): HubState | undefined {
  const file = path.join(dir, ".fuse/state.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as HubState) : undefined;
}

/** The pids `hub.stop()` names in its error when processes were left running, else none. */
function leftoversNamed(error: unknown): number[] {
  const match = /processes left running after the hub stopped: ([\d, ]+)/.exec(String(error));
  return match ? match[1]!.split(",").map((p) => Number(p.trim())) : [];
}

export interface StopCount {
  /** Processes of the hub still alive 10 s after it stopped (killed then, by pid). */
  left: number[];
  /** An error of the stop other than leftovers, to fail the test file with. */
  error?: unknown;
}

/**
 * Stops the hub and counts what it left: every actor and server it runs now (servers revived
 * during the test included, from the state file), still alive 10 s after the hub exited.
 */
export async function stopHubCounting(hub: RunningHub): Promise<StopCount> {
  const running = hub.process.exitCode === null && hub.process.signalCode === null;
  // A dead hub cannot be asked (its bus is gone): what it ran was counted where it was killed.
  const pids = new Set<number>([...(stateOf(hub.dir)?.servicePids ?? []), ...(running ? await hub.pids().catch(() => []) : [])]);
  let error: unknown;
  let named: number[] = [];
  // hub.stop() asks a hub killed by a signal for its list first, and waits 30 s for no answer.
  if (running) {
    try {
      await hub.stop();
    } catch (thrown) {
      named = leftoversNamed(thrown);
      if (!named.length) error = thrown;
    }
  }
  await waitFor("every process of the stopped hub to exit", () => ![...pids].some(isAlive), 10_000).catch(() => undefined);
  const left = [...new Set([...named, ...killLeftovers(pids)])];
  return { left, error };
}

export type NewRow = Omit<CaseRecord, "leftAfterStop" | "rerun" | "at"> & { leftAfterStop?: number };

export interface FaultHub {
  /** The hub of this file, started in `beforeAll`. */
  readonly hub: RunningHub;
  readonly dir: string;
  /**
   * Adds a row to the results table; `leftAfterStop` is filled in when the hub stops (unless
   * given), `rerun` from the file and `filter` (a part of the case's name).
   */
  record(row: NewRow, filter?: string): void;
}

/**
 * One hub for a test file of the fault suite: started before its cases, stopped after them
 * with the processes it left counted (and killed by pid), and the file's rows written to the
 * results table. The file fails when the hub left any process.
 */
export function useFaultHub(file: string, options: HubDirOptions): FaultHub {
  const rows: CaseRecord[] = [];
  let hub: RunningHub | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = createHubDir(options);
    hub = await startHub(dir);
  });
  afterAll(async () => {
    const stopped = hub ? await stopHubCounting(hub) : { left: [] };
    for (const row of rows) row.leftAfterStop ??= stopped.left.length;
    if (rows.length) console.log(writeReport(file, rows));
    if (dir) removeHubDir(dir);
    expect(stopped.left).toEqual([]);
    if ("error" in stopped && stopped.error) throw stopped.error;
  });
  return {
    get hub() {
      if (!hub) throw new Error(`the hub of ${file} did not start`);
      return hub;
    },
    get dir() {
      if (!dir) throw new Error(`the hub folder of ${file} was not made`);
      return dir;
    },
    record: (row, filter) =>
      rows.push({
        ...row,
        leftAfterStop: row.leftAfterStop ?? null,
        rerun: `npx vitest run test/faults/${file}.test.ts${filter ? ` -t "${filter}"` : ""}`,
        at: new Date().toISOString(),
      }),
  };
}
