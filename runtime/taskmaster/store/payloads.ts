/** The key that marks a stored value as a reference to a file holding it. */
export const FILE_REF_KEY = "$fuseFile";

export interface PayloadRef {
  file: string;
  bytes: number;
}

/** What the taskmaster needs of `ctx.files`: its own bucket. */
export interface PayloadFiles {
  put(name: string, data: string): Promise<unknown>;
  read(name: string): Promise<Buffer | undefined>;
  delete(name: string): Promise<boolean>;
}

/** Default limit above which a step output, run input or run output is kept in a file: 256 KiB. */
export const DEFAULT_PAYLOAD_LIMIT = 256 * 1024;

/** The reference a stored value is, if it is one. */
export function refOf(value: unknown): PayloadRef | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const ref = (value as Record<string, unknown>)[FILE_REF_KEY];
  if (typeof ref !== "string") return undefined;
  return { file: ref, bytes: Number((value as Record<string, unknown>).bytes ?? 0) };
}

/**
 * Large payloads out of the database rows: a value whose JSON is over the limit is written to
 * the taskmaster's files and the row holds `{ "$fuseFile": name, "bytes": n }`; reading it back
 * gives the value, so expressions never see the difference.
 */
export class Payloads {
  constructor(
    private readonly files: PayloadFiles | undefined,
    readonly limitBytes: number = DEFAULT_PAYLOAD_LIMIT,
  ) {}

  /** The JSON text to store for `value` under the file name `name` if it is too large. */
  async text(name: string, value: unknown): Promise<{ text: string | null; ref?: PayloadRef }> {
    const inline = this.inline(value);
    if (inline !== undefined) return { text: inline };
    const text = JSON.stringify(value);
    await this.files!.put(name, text);
    const ref = { file: name, bytes: Buffer.byteLength(text) };
    return { text: JSON.stringify({ [FILE_REF_KEY]: ref.file, bytes: ref.bytes }), ref };
  }

  /** The JSON text of a value small enough for a row (null for undefined), or undefined when it must go to a file. */
  inline(value: unknown): string | null | undefined {
    if (value === undefined) return null;
    const text = JSON.stringify(value);
    // Characters are at most 3 bytes each in UTF-8: most texts need no byte count.
    if (!this.files || text.length * 3 <= this.limitBytes || Buffer.byteLength(text) <= this.limitBytes) return text;
    return undefined;
  }

  /** The reference a value kept under `name` has. */
  refFor(name: string, value: unknown): PayloadRef {
    return { file: name, bytes: Buffer.byteLength(JSON.stringify(value)) };
  }

  /** The reference as a row holds it (`{ "$fuseFile": name, "bytes": n }`). */
  stored(name: string, value: unknown): Record<string, unknown> {
    const ref = this.refFor(name, value);
    return { [FILE_REF_KEY]: ref.file, bytes: ref.bytes };
  }

  /** The value a stored one stands for: itself, or the file's content. */
  async resolve(value: unknown): Promise<unknown> {
    const ref = refOf(value);
    if (!ref || !this.files) return value;
    const data = await this.files.read(ref.file);
    if (!data) throw new Error(`the file ${ref.file} holding a stored payload is missing`);
    return JSON.parse(data.toString("utf8")) as unknown;
  }

  async delete(names: readonly string[]): Promise<void> {
    if (!this.files) return;
    for (const name of names) await this.files.delete(name).catch(() => false);
  }
}
