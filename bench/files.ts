// A large file (BENCH_FILE_MB, default 200) up through the gateway of a real hub (multipart)
// and down again: MB/s each way and the gateway's peak memory growth, against a node:http +
// busboy + nats.js object-store server doing the same job on the same nats-server.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_FUSE, startHubProcess } from "./lib/hub-process.ts";
import { makeTempDir, ready, removeTempDir, startBundled } from "./lib/processes.ts";
import { RAW_NATS_AS_FUSE } from "./lib/raw-nats-connection.ts";
import { roundsReport, type Metric } from "./lib/ratios.ts";
import type { BenchReport } from "./lib/report.ts";
import { runRounds, type RoundSystem } from "./lib/rounds.ts";
import { envNumber } from "./lib/settings.ts";

const MB = envNumber("BENCH_FILE_MB", 200);
const BYTES = Math.round(MB * 1024 * 1024);

interface Transfer {
  upStatus: number;
  upMs: number;
  downStatus: number;
  downMs: number;
  intact: boolean;
  deleteStatus: number;
}

interface FilesResult {
  upMBps: number;
  downMBps: number;
  peakMiB: number;
  peakGrowthMiB: number;
}

const METRICS: Metric<FilesResult>[] = [
  { name: "upload MB/s", value: (r) => r.upMBps },
  { name: "download MB/s", value: (r) => r.downMBps },
  { name: "peak RSS MiB", value: (r) => r.peakMiB },
];

// Growth is near zero when streaming works, so a ratio of two growths says nothing.
const GROWTH: Metric<FilesResult> = { name: "peak RSS growth MiB", value: (r) => r.peakGrowthMiB };

const kib = (pid: number, field: "VmRSS" | "VmHWM") => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);

/**
 * Moves the file through the server at `url` while watching process `pid`'s peak RSS. The
 * peak is reset first (Linux: "5" into clear_refs), so each round measures its own growth.
 */
async function transferThrough(url: string, pid: number, buildDir: string): Promise<{ metrics: FilesResult; failure?: string }> {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
  const before = kib(pid, "VmRSS");
  const client = await startBundled("files/transfer.ts", { FILES_URL: url, FILE_BYTES: String(BYTES) }, buildDir);
  try {
    const t = await client.waitFor<Transfer>("RESULT", 600_000);
    const peak = kib(pid, "VmHWM");
    // Linux folds RSS into the high-water mark lazily, so a flat process may show a peak a
    // little under its RSS before: that is no growth, not negative growth.
    const metrics = { upMBps: MB / (t.upMs / 1000), downMBps: MB / (t.downMs / 1000), peakMiB: peak / 1024, peakGrowthMiB: Math.max(0, peak - before) / 1024 };
    const ok = t.upStatus === 201 && t.downStatus === 200 && t.intact && t.deleteStatus === 200;
    return { metrics, failure: ok ? undefined : `upload ${t.upStatus}, download ${t.downStatus} (${t.intact ? "intact" : "NOT the bytes sent"}), delete ${t.deleteStatus}` };
  } finally {
    await client.stop();
  }
}

/** The gateway's PID, from the CLI as an operator would look it up. */
function gatewayPid(hubDir: string): number {
  const actors = JSON.parse(execFileSync(process.execPath, [REPO_FUSE, "actors", "ls", "--json"], { cwd: hubDir, encoding: "utf8" })) as { name: string; pids: number[] }[];
  const pid = actors.find((a) => a.name === "gateway")?.pids[0];
  if (!pid) throw new Error(`no running gateway in ${JSON.stringify(actors)}`);
  return pid;
}

export async function runFilesBench(): Promise<BenchReport> {
  const dir = makeTempDir("files");
  mkdirSync(path.join(dir, "config"));
  writeFileSync(path.join(dir, "config/fuse.yaml"), "{}\n");
  const buildDir = path.join(dir, ".bench-build");
  try {
    const hub = await startHubProcess(dir);
    const baseline = await ready(startBundled("files/object-store-server.ts", { NATS_URL: hub.state.natsUrl, [RAW_NATS_AS_FUSE]: "1", ...(hub.state.natsCreds ? { NATS_CREDS: hub.state.natsCreds } : {}) }, buildDir), /^READY /);
    try {
      const baselineUrl = (JSON.parse(baseline.lines.find((l) => l.startsWith("READY "))!.slice(6)) as { url: string }).url;
      const systems: RoundSystem<FilesResult>[] = [
        { id: "fuse-gateway", measure: () => transferThrough(hub.state.gatewayUrl!, gatewayPid(dir), buildDir) },
        { id: "http+busboy+nats.js", measure: () => transferThrough(baselineUrl, baseline.child.pid!, buildDir) },
      ];
      const describe = (r: FilesResult) => `up ${r.upMBps.toFixed(0)} MB/s, down ${r.downMBps.toFixed(0)} MB/s, peak RSS +${r.peakGrowthMiB.toFixed(1)} MiB`;
      const rounds = Math.round(envNumber("BENCH_FILES_ROUNDS", 3, 1));
      const runs = await runRounds(systems, { bench: "files", rounds, describe });
      return roundsReport(runs, {
        bench: "files",
        settings: { rounds, file_MiB: MB },
        systems: systems.map((s) => s.id),
        metrics: METRICS,
        unpaired: [GROWTH],
        comparisons: [{ label: "fuse-gateway / http+busboy+nats.js", system: "fuse-gateway", baseline: "http+busboy+nats.js" }],
        notes: ["MB/s here is MiB/s; peak RSS: the server process's high-water mark during the transfer (reset before it); growth: that peak over its RSS before"],
      });
    } finally {
      await baseline.stop();
      await hub.stop();
    }
  } finally {
    removeTempDir(dir);
  }
}
