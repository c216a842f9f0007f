import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../../errors/index.ts";
import { DESCRIBE_MARK, ProcessEnv, type BusUses } from "../../protocol/index.ts";
import { writePrivateFile } from "../private-folder.ts";
import { bundleActor } from "./actor-bundle.ts";

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

/**
 * What the actor in `bundle` uses of JetStream (its buckets and event topics), read by
 * loading it once in a process of its own that never connects; kept beside the bundle
 * (`<bundle>.<prefix>.uses.json`) with the bundle's digest, so an unchanged actor is not loaded again.
 * @throws CONFIG_INVALID naming the bundle when the actor cannot be loaded.
 */
export async function describeActor(bundle: string, env: Record<string, string>): Promise<DescribedUses> {
  const digest = createHash("sha256").update(readFileSync(bundle)).update(env[ProcessEnv.prefix] ?? "").digest("hex");
  // One per prefix: hubs with different prefixes share the built-in actors' bundles.
  const cacheFile = `${bundle}.${env[ProcessEnv.prefix] ?? ""}.uses.json`;
  try {
    const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as { digest: string; uses: DescribedUses };
    if (cached.digest === digest) return cached.uses;
  } catch {
    // None yet, or unreadable: described again below.
  }
  const uses = await run(bundle, env);
  // Renamed into place: another hub may read it meanwhile.
  writePrivateFile(cacheFile, JSON.stringify({ digest, uses }));
  return uses;
}

/** Where and as what an actor is described: what its process would be given. */
export interface DescribeTarget {
  name: string;
  module: string;
  env: Record<string, string>;
  kind?: "actor" | "process";
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
        described.set(plan.name, await describeActor(bundle, env));
      } catch {
        // Reported by the supervisor when it starts the actor.
      }
    }),
  );
  return described;
}
