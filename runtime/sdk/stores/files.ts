import { Readable } from "node:stream";
import type { ObjectBucket, ObjectInfo } from "../../bus/index.ts";
import { ValidationError } from "../../errors/index.ts";
import type { BucketAccess } from "./bucket-access.ts";

export type FileData = Uint8Array | string | AsyncIterable<Uint8Array> | Readable;

function checkName(name: string): string {
  if (!name || name.length > 512 || /[\0\r\n]/.test(name)) {
    throw new ValidationError(`file name ${JSON.stringify(name)}: expected 1 to 512 characters without control characters`);
  }
  return name;
}

/**
 * File storage shared by the hub: on NATS the JetStream object store, which keeps files in
 * chunks, so puts and gets stream rather than hold a whole file in memory.
 */
export class Files {
  private opened: Promise<ObjectBucket> | undefined;

  constructor(
    private readonly open: (bucket: string) => Promise<ObjectBucket>,
    /** The bucket's name. */
    readonly name: string,
    /** What the actor may open; without it (tools, tests of the store) any bucket. */
    private readonly access?: BucketAccess,
  ) {}

  private bucket(): Promise<ObjectBucket> {
    this.opened ??= this.open(this.name);
    return this.opened;
  }

  /**
   * Another bucket of files, declared in `defineActor({ buckets: { files: [...] } })`.
   * @throws FORBIDDEN naming the bucket when the actor did not declare it.
   */
  in(name: string): Files {
    this.access?.checkFiles(name);
    return new Files(this.open, name, this.access);
  }

  /** Stores a buffer, a string or a stream under `name`, replacing any earlier one. */
  async put(name: string, data: FileData, meta: { contentType?: string } = {}): Promise<ObjectInfo> {
    const body = typeof data === "string" ? new TextEncoder().encode(data) : data;
    return (await this.bucket()).put(checkName(name), body as AsyncIterable<Uint8Array> | Uint8Array, meta);
  }

  /** The file as a Node stream, or undefined when there is none. */
  async get(name: string): Promise<{ info: ObjectInfo; stream: Readable } | undefined> {
    const found = await (await this.bucket()).get(checkName(name));
    return found ? { info: found.info, stream: Readable.from(found.data, { objectMode: false }) } : undefined;
  }

  /** The whole file in memory; for small files. */
  async read(name: string): Promise<Buffer | undefined> {
    const found = await this.get(name);
    if (!found) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of found.stream) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }

  async info(name: string): Promise<ObjectInfo | undefined> {
    return (await this.bucket()).info(checkName(name));
  }

  async list(): Promise<ObjectInfo[]> {
    return (await this.bucket()).list();
  }

  /** Whether there was such a file. */
  async delete(name: string): Promise<boolean> {
    return (await this.bucket()).delete(checkName(name));
  }
}
