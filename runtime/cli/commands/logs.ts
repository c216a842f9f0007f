import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { NotFoundError } from "../../errors/index.ts";
import { bundleLogs, createLineFormatter } from "../../log/index.ts";
import { ErrorCode, STATE_FILE, isValidName } from "../../protocol/index.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, print } from "../output.ts";

interface LogsOptions {
  follow?: boolean;
  lines: string;
  trace?: string;
  json?: boolean;
}

interface Entry {
  actor: string;
  time: number;
  line: string;
}

function logFiles(dir: string, actor: string | undefined): Map<string, string> {
  const logDir = path.join(dir, ".fuse", "logs");
  const names = existsSync(logDir) ? readdirSync(logDir).filter((f) => f.endsWith(".log") && isValidName(f.slice(0, -4))) : [];
  const files = new Map(names.map((f) => [f.slice(0, -4), path.join(logDir, f)]));
  if (!actor) return files;
  const file = files.get(actor);
  if (!file) {
    throw new NotFoundError(ErrorCode.ACTOR_NOT_FOUND, `no logs of actor "${actor}" in ${logDir} (known: ${[...files.keys()].join(", ") || "none"})`);
  }
  return new Map([[actor, file]]);
}

function toEntry(actor: string, line: string): Entry | undefined {
  if (!line.trim()) return undefined;
  try {
    return { actor, time: (JSON.parse(line) as { time?: number }).time ?? 0, line };
  } catch {
    return { actor, time: 0, line };
  }
}

function matchesTrace(entry: Entry, trace: string | undefined): boolean {
  return !trace || entry.line.includes(`"traceId":"${trace}"`);
}

function registerBundleCommand(logs: Command, program: Command): void {
  logs
    .command("bundle")
    .description("write every log file and a manifest into one .tar.gz archive")
    .option("-o, --out <file>", "archive path (default: fuse-logs-<time>.tar.gz in the hub folder)")
    .action(async (options: { out?: string }) => {
      const dir = hubDir(program);
      const out = path.resolve(options.out ?? path.join(dir, `fuse-logs-${new Date().toISOString().replace(/[:.]/g, "-")}.tar.gz`));
      const state = existsSync(path.join(dir, STATE_FILE)) ? (JSON.parse(readFileSync(path.join(dir, STATE_FILE), "utf8")) as object) : undefined;
      const result = await bundleLogs({ logDir: path.join(dir, ".fuse", "logs"), out, about: { dir, hub: state ?? null } });
      const bytes = result.files.reduce((n, f) => n + f.bytes, 0);
      print(`${colour.green("✓")} ${path.relative(process.cwd(), out) || out}: ${result.files.length} log files, ${bytes} bytes before compression`);
    });
}

export function registerLogsCommand(program: Command): void {
  const logs = program
    .command("logs")
    .argument("[actor]")
    .description("print the hub's log lines (all actors merged in time order, or one actor's)")
    .option("-f, --follow", "keep printing new lines")
    .option("-n, --lines <n>", "how many of the latest lines", "50")
    .option("--trace <id>", "only the lines of one request, across all actors")
    .option("--json", "print the raw JSON lines")
    .action(async (actor: string | undefined, options: LogsOptions) => {
      const files = logFiles(hubDir(program), actor);
      const format = createLineFormatter({ colour: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
      const show = (e: Entry) => process.stdout.write(`${options.json ? e.line : format(e.line, e.actor)}\n`);
      const entries: Entry[] = [];
      const offsets = new Map<string, number>();
      for (const [name, file] of files) {
        const text = readFileSync(file, "utf8");
        offsets.set(name, Buffer.byteLength(text));
        for (const line of text.split("\n")) {
          const entry = toEntry(name, line);
          if (entry && matchesTrace(entry, options.trace)) entries.push(entry);
        }
      }
      entries.sort((a, b) => a.time - b.time);
      const limit = options.trace ? entries.length : Number(options.lines);
      entries.slice(-limit).forEach(show);
      if (!options.follow) return;
      await follow(files, offsets, (entry) => matchesTrace(entry, options.trace) && show(entry));
    });
  registerBundleCommand(logs, program);
}

/** Prints lines appended to the files until the process is stopped. */
async function follow(files: Map<string, string>, offsets: Map<string, number>, onEntry: (e: Entry) => void): Promise<never> {
  const partial = new Map<string, string>();
  for (;;) {
    for (const [name, file] of files) {
      const size = existsSync(file) ? statSync(file).size : 0;
      let offset = offsets.get(name) ?? 0;
      if (size < offset) offset = 0; // rotated
      if (size === offset) continue;
      const fd = openSync(file, "r");
      const buffer = Buffer.alloc(size - offset);
      readSync(fd, buffer, 0, buffer.length, offset);
      closeSync(fd);
      offsets.set(name, size);
      const text = (partial.get(name) ?? "") + buffer.toString("utf8");
      const lines = text.split("\n");
      partial.set(name, lines.pop() ?? "");
      for (const line of lines) {
        const entry = toEntry(name, line);
        if (entry) onEntry(entry);
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
