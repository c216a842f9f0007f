// `fuse up` in a folder, run as a user runs it, and stopped by PID with every process it
// started: the hub first (it drains and stops its own), then whatever outlived it.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { BENCH_DIR, tracked } from "./processes.ts";

export const REPO_FUSE = path.resolve(BENCH_DIR, "../bin/fuse.mjs");

export interface HubProcess {
  child: ChildProcess;
  /** From spawning `fuse up` until it printed that the hub is ready. */
  wallMs: number;
  /** What the hub itself reports: from its start until every actor was ready. */
  readyMs: number;
  /** `.fuse/state.json`: URLs, the servers' PIDs and the admin identity's NATS credential file. */
  state: { natsUrl: string; gatewayUrl?: string; servicePids: number[]; natsCreds?: string };
  stop(): Promise<void>;
}

/** Every process below `pid` (actors run in their own process groups, so not by group). */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      // The command name may hold spaces and parentheses: the fields start after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited while we looked
    }
  }
  const found = [pid];
  for (let i = 0; i < found.length; i++) for (const [child, parent] of parentOf) if (parent === found[i]) found.push(child);
  return found.slice(1);
}

function killLeftovers(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone, as it should be
    }
  }
}

/** Starts `fuse up --quiet` in `dir`; resolves once the hub says it is ready. */
export function startHubProcess(dir: string, options: { fuse?: string; env?: Record<string, string> } = {}): Promise<HubProcess> {
  const began = performance.now();
  const child = spawn(process.execPath, [options.fuse ?? REPO_FUSE, "up", "--quiet"], { cwd: dir, env: { ...process.env, NO_COLOR: "1", ...options.env } });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  let output = "";
  let isReady = false;
  let started: number[] = [];
  const stop = async () => {
    started = [...new Set([...started, ...descendants(child.pid!)])];
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
    killLeftovers(started);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void stop().then(() => reject(new Error(`fuse up not ready within 90 s: ${output.slice(-2000)}`))), 90_000);
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      output += d.toString();
      const match = /Fuse hub ready in (\d+) ms/.exec(output);
      if (!match || isReady) return;
      isReady = true;
      const wallMs = Math.round(performance.now() - began);
      clearTimeout(timer);
      const state = JSON.parse(readFileSync(path.join(dir, ".fuse/state.json"), "utf8")) as HubProcess["state"];
      started = [...state.servicePids, ...descendants(child.pid!)];
      resolve(tracked({ child, wallMs, readyMs: Number(match[1]), state, stop }));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (!isReady) reject(new Error(`fuse up exited ${code} before it was ready: ${output.slice(-2000)}`));
    });
  });
}
