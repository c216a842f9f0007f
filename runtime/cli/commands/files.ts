import { createReadStream, createWriteStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { NatsTransport, connectNats, type ObjectBucket } from "../../bus/index.ts";
import { NotFoundError, ValidationError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { hubConnectOptions, readHubState } from "../hub-client.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, print, printJson, table } from "../output.ts";

/** Opens the hub's file bucket (the one `ctx.files` uses) and runs `fn` with it. */
async function withFiles<T>(program: Command, bucketName: string | undefined, fn: (bucket: ObjectBucket, name: string) => Promise<T>): Promise<T> {
  const state = readHubState(hubDir(program));
  const transport = new NatsTransport(await connectNats(hubConnectOptions(state)));
  const name = bucketName ?? `${state.prefix}-files`;
  try {
    return await fn(await transport.objects(name), name);
  } finally {
    await transport.close().catch(() => undefined);
  }
}

const size = (n: number) => (n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`);

export function registerFilesCommands(program: Command): void {
  const files = program.command("files").description("the hub's file storage (what actors see as ctx.files)");
  const bucketOption = ["--bucket <name>", "another bucket than the default one"] as const;
  files
    .command("ls")
    .description("list files: name, size, type, modified")
    .option(...bucketOption)
    .option("--json", "print a JSON array")
    .action(async (options: { bucket?: string; json?: boolean }) => {
      const list = await withFiles(program, options.bucket, (b) => b.list());
      if (options.json) return printJson(list);
      print(table(["NAME", "SIZE", "TYPE", "MODIFIED"], list.map((f) => [f.name, size(f.size), f.contentType ?? "-", new Date(f.modified).toISOString()])));
    });
  files
    .command("put <file> [name]")
    .description("upload a local file (streamed), under its own name or another")
    .option(...bucketOption)
    .option("--type <content-type>", "content type to record")
    .action(async (file: string, name: string | undefined, options: { bucket?: string; type?: string }) => {
      if (!existsSync(file) || !statSync(file).isFile()) throw new ValidationError(`${file}: no such file`);
      const target = name ?? path.basename(file);
      const info = await withFiles(program, options.bucket, (b) =>
        b.put(target, createReadStream(file) as AsyncIterable<Uint8Array>, options.type ? { contentType: options.type } : {}),
      );
      print(`${colour.green("✓")} ${info.name}: ${size(info.size)} ${colour.dim(info.digest ?? "")}`);
    });
  files
    .command("get <name> [file]")
    .description("download a file (streamed) to a local path, or to stdout with -")
    .option(...bucketOption)
    .action(async (name: string, file: string | undefined, options: { bucket?: string }) => {
      await withFiles(program, options.bucket, async (b, bucket) => {
        const found = await b.get(name);
        if (!found) throw new NotFoundError(ErrorCode.NOT_FOUND, `no file "${name}" in bucket "${bucket}"`);
        const out = file === "-" ? process.stdout : createWriteStream(file ?? path.basename(name));
        await pipeline(Readable.from(found.data), out);
        if (file !== "-") print(`${colour.green("✓")} ${file ?? path.basename(name)}: ${size(found.info.size)}`);
      });
    });
  files
    .command("rm <name>")
    .description("delete a file")
    .option(...bucketOption)
    .action(async (name: string, options: { bucket?: string }) => {
      await withFiles(program, options.bucket, async (b, bucket) => {
        if (!(await b.delete(name))) throw new NotFoundError(ErrorCode.NOT_FOUND, `no file "${name}" in bucket "${bucket}"`);
        print(`${colour.green("✓")} deleted ${name}`);
      });
    });
}
