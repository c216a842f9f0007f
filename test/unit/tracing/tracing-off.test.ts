import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { bundleModule } from "../../../runtime/build/index.ts";
import { ProcessEnv } from "../../../runtime/protocol/index.ts";
import { REPO } from "../../helpers/index.ts";

const run = promisify(execFile);

/**
 * Runs an actor that answers one request, in a process of its own built the way the hub builds
 * actors, and returns every OpenTelemetry module Node loaded in it (recorded by a resolve hook).
 */
describe("tracing off", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-tracing-off-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function otelModulesLoaded(env: Record<string, string>): Promise<{ loaded: string[]; reply: unknown }> {
    const record = path.join(dir, `loaded-${Object.keys(env).join("-") || "none"}.txt`);
    writeFileSync(path.join(dir, "hooks.mjs"), `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.includes("/@opentelemetry/")) appendFileSync(process.env.OTEL_RECORD, resolved.url + "\\n");
  return resolved;
}
`);
    writeFileSync(path.join(dir, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(path.join(dir, "hooks.mjs")).href)});\n`);
    const entry = path.join(dir, "entry.ts");
    writeFileSync(entry, `import { createTestHub, defineActor, defineEndpoint, tracingFromEnv, z } from ${JSON.stringify(path.join(REPO, "runtime/sdk/internal.ts"))};
const lean = defineActor({ name: "lean", endpoints: { ping: defineEndpoint({ input: z.object({}), output: z.string(), handler: async (_i, ctx) => (await ctx.call("lean.pong", {})) as string }), pong: defineEndpoint({ input: z.object({}), output: z.string(), handler: () => "pong" }) } });
const tracing = await tracingFromEnv(process.env, "lean", 0);
const hub = await createTestHub([lean]);
const reply = await hub.call("lean.ping", {});
tracing?.start({ name: "probe", kind: "internal", attributes: {} }).end();
await tracing?.shutdown();
await hub.stop();
process.stdout.write(JSON.stringify(reply));
`);
    const outfile = path.join(dir, "out", "entry.mjs");
    await bundleModule({ entry, outfile, what: "tracing probe" });
    const { stdout } = await run(process.execPath, ["--import", pathToFileURL(path.join(dir, "register.mjs")).href, outfile], { env: { ...process.env, ...env, OTEL_RECORD: record }, timeout: 60_000 });
    return { loaded: existsSync(record) ? readFileSync(record, "utf8").trim().split("\n") : [], reply: JSON.parse(stdout) };
  }

  it("loads no OpenTelemetry package in a process that serves and makes calls with tracing off", async () => {
    const { loaded, reply } = await otelModulesLoaded({});
    expect(reply).toBe("pong");
    expect(loaded).toEqual([]);
  }, 90_000);

  it("loads them once telemetry.otlp.url is set (the probe above can see them)", async () => {
    // Port 9 (discard) on loopback: nothing answers, and the export's failure must not matter.
    const { loaded, reply } = await otelModulesLoaded({ [ProcessEnv.otlpUrl]: "http://127.0.0.1:9/v1/traces" });
    expect(reply).toBe("pong");
    expect(loaded.some((url) => url.includes("/@opentelemetry/sdk-trace-base/"))).toBe(true);
    expect(loaded.some((url) => url.includes("/@opentelemetry/exporter-trace-otlp-http/"))).toBe(true);
  }, 90_000);

  it("loads no exporter when only the in-hub store is on (telemetry.recent)", async () => {
    const { loaded, reply } = await otelModulesLoaded({ [ProcessEnv.traceRecent]: "100" });
    expect(reply).toBe("pong");
    expect(loaded.some((url) => url.includes("/@opentelemetry/sdk-trace-base/"))).toBe(true);
    expect(loaded.filter((url) => url.includes("/@opentelemetry/exporter-"))).toEqual([]);
  }, 90_000);
});
