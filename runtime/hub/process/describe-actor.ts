import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../../errors/index.ts";
import { DESCRIBE_MARK, ProcessEnv, type BusUses } from "../../protocol/index.ts";
import { writePrivateFile } from "../private-folder.ts";
import { bundleActor, isSharedBundle } from "./actor-bundle.ts";

/** What an actor uses of JetStream, with the TTLs its key-value buckets are made with. */
export interface DescribedUses extends BusUses {
  ttls: Record<string, number>;
}

/**
 * Why the actor could not load, from its fatal log line (`CONFIG_INVALID: actor "orders" …`),
 * as the supervisor says it for a process that exits at start.
 */
function fatalReason(output: string): string | undefined {
  for (const line of output.split("\n").reverse()) {
    if (!line.startsWith("{")) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; code?: string; err?: { message?: string }; msg?: string };
      if (entry.level !== 60) continue;
      const message = entry.err?.message ?? entry.msg;
      return entry.code ? `${entry.code}: ${message}` : message;
    } catch {
      // not a log line
    }
  }
  return undefined;
}

/** Longest a description may take: it only loads the module. */
const DESCRIBE_TIMEOUT_MS = 30_000;

function run(bundle: string, env: Record<string, string>): Promise<DescribedUses> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], { env: { ...env, [ProcessEnv.describe]: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), DESCRIBE_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith(DESCRIBE_MARK));
      if (code === 0 && line) return resolve(JSON.parse(line.slice(DESCRIBE_MARK.length)) as DescribedUses);
      reject(new ConfigError(`exited with code ${code}: ${fatalReason(out + err) ?? `could not read what actor bundle ${bundle} uses: ${(err || out).trim().split("\n").slice(-3).join(" | ")}`}`));
    });
  });
}

/** The files `reads` names (relative to the hub folder): a file itself, or each entry of a folder. */
function filesRead(hubDir: string, reads: readonly string[]): string[] {
  return reads.flatMap((read) => {
    const full = path.resolve(hubDir, read);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (!stat) return [];
    return stat.isDirectory() ? readdirSync(full).sort().map((name) => path.join(full, name)) : [full];
  });
}

/**
 * A fingerprint of `files`: each one's name, size and modification time. Cheap enough for
 * every start, and it changes whenever a file is added, removed or rewritten.
 */
function fingerprint(files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of files) {
    const s = statSync(file, { throwIfNoEntry: false });
    hash.update(`${file}:${s?.size}:${s?.mtimeMs};`);
  }
  return hash.digest("hex");
}

/**
 * What the actor in `bundle` uses of JetStream (its buckets and event topics), read by
 * loading it once in a process of its own that never connects. Kept with a digest of the
 * bundle, the prefix and the files the definition reads when it loads (`reads`, relative to
 * the hub folder: the taskmaster's tasks/, whose await steps are its event topics), so an
 * unchanged actor is not loaded again and a changed one always is. A user actor's is kept in
 * the hub's own folder (`.fuse/build/<actor>.uses.json`), with the folder in the digest: what
 * its definition declares may depend on the folder. A built-in actor declares the same in
 * every folder where the files it reads are absent (a hub with no tasks/): its description is
 * kept beside its shared bundle, so a new hub folder starts without loading it once more.
 * @throws CONFIG_INVALID naming the bundle when the actor cannot be loaded.
 */
export async function describeActor(bundle: string, env: Record<string, string>, reads: readonly string[] = []): Promise<DescribedUses> {
  const hubDir = env[ProcessEnv.hubDir] ?? process.cwd();
  const actor = env[ProcessEnv.actor] ?? path.basename(bundle);
  const files = filesRead(hubDir, reads);
  const shared = isSharedBundle(bundle) && files.length === 0;
  const digest = createHash("sha256")
    .update(readFileSync(bundle))
    .update(`\0${env[ProcessEnv.prefix] ?? ""}\0${shared ? "" : path.resolve(hubDir)}\0${fingerprint(files)}`)
    .digest("hex");
  // Shared: one file per prefix (and bundle), as hubs of several prefixes may run at once.
  const cacheFile = shared ? path.join(path.dirname(bundle), `${actor}-${digest.slice(0, 16)}.uses.json`) : path.join(hubDir, ".fuse", "build", `${actor}.uses.json`);
  try {
    const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as { digest: string; uses: DescribedUses };
    if (cached.digest === digest) return cached.uses;
  } catch {
    // None yet, or unreadable: described again below.
  }
  const uses = await run(bundle, env);
  // Renamed into place: the supervisor (or another hub) may describe the same actor meanwhile.
  try {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    writePrivateFile(cacheFile, JSON.stringify({ digest, uses }));
  } catch {
    // Not kept (a folder this user may not write): described again next time, nothing lost.
  }
  return uses;
}

/** Where and as what an actor is described: what its process would be given. */
export interface DescribeTarget {
  name: string;
  module: string;
  env: Record<string, string>;
  kind?: "actor" | "process";
  /** Files or folders (relative to the hub folder) the definition reads when it loads. */
  reads?: string[];
}

/**
 * What each actor of `plans` uses, bundling it as the supervisor will (the bundle is reused);
 * none for a foreign process, or for an actor that does not build or load: its start then
 * fails and is reported as any failed start is, and its identity keeps its own buckets only.
 */
export async function describePlans(plans: DescribeTarget[], hubDir: string, prefix: string): Promise<Map<string, DescribedUses>> {
  const described = new Map<string, DescribedUses>();
  await Promise.all(
    plans.map(async (plan) => {
      if (plan.kind === "process") return;
      try {
        const bundle = await bundleActor(plan.name, plan.module, path.join(hubDir, ".fuse", "build"));
        const env = { ...(process.env as Record<string, string>), ...plan.env, [ProcessEnv.actor]: plan.name, [ProcessEnv.module]: plan.module, [ProcessEnv.prefix]: prefix, [ProcessEnv.hubDir]: hubDir };
        described.set(plan.name, await describeActor(bundle, env, plan.reads));
      } catch {
        // Reported by the supervisor when it starts the actor.
      }
    }),
  );
  return described;
}
