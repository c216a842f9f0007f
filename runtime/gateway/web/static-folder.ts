import { createHash } from "node:crypto";
import { promises as fs, type Stats } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from "hono/utils/compress";
import { getMimeType } from "hono/utils/mime";
import { pageSecurityHeaders, ASSET_SECURITY_HEADERS } from "./web-headers.ts";

/** One file of a frontend folder as last seen on disk, with what its responses need. */
export interface FileEntry {
  /** The file's real path. */
  readonly file: string;
  readonly size: number;
  readonly type: string;
  readonly etag: string;
  readonly lastModified: string;
  /** Whether the name carries a content hash (`app.3f2a1b.js`): cached for a year. */
  readonly immutable: boolean;
  readonly compressible: boolean;
  readonly security: Readonly<Record<string, string>>;
  /** The bytes, for files small enough to keep in memory; larger ones are streamed from disk. */
  readonly body: Buffer | undefined;
  /** Compressed variants of `body`, made on first request. */
  gzip?: Buffer;
  br?: Buffer;
  /** What identifies this version on disk. */
  readonly version: string;
}

export type Lookup = { kind: "file"; entry: FileEntry } | { kind: "directory" } | { kind: "missing" };

/** Files up to this size are kept in memory (with their compressed forms). */
const MAX_CACHED_FILE = 1024 * 1024;
/** All kept bytes of one folder, beyond which the oldest entries go. */
const MAX_CACHED_TOTAL = 64 * 1024 * 1024;
/** Smaller bodies gain nothing from compression. */
export const MIN_COMPRESSED = 1024;

// `app.3f2a1b.js` (hex, 6+), `index-BX7kq1a2.js` (Vite, 8+ with a digit): a name that changes with its content.
const HASHED_NAME = /[.-](?:[0-9a-f]{6,}|(?=[A-Za-z0-9_]*\d)[A-Za-z0-9_]{8,})\.[A-Za-z0-9]+$/;

const versionOf = (stats: Stats) => `${stats.ino}:${stats.size}:${stats.mtimeMs}`;

/**
 * A frontend's folder on disk: finds a request's file without ever leaving the folder
 * (symlinks that point out of it are not followed), and keeps small files in memory, checked
 * against the disk by one `stat` per request so that an edited file is served at once.
 */
export class StaticFolder {
  private realRoot: string | undefined;
  private readonly entries = new Map<string, FileEntry>();
  private cachedBytes = 0;

  /** @param root the folder, absolute */
  constructor(readonly root: string) {}

  /** The file at `segments` (already checked by `parseRequestPath`), a directory, or nothing. */
  async lookup(segments: readonly string[]): Promise<Lookup> {
    const root = await this.rootPath();
    if (!root) return { kind: "missing" };
    const file = segments.length ? path.join(root, ...segments) : root;
    let stats: Stats;
    try {
      stats = await fs.stat(file);
    } catch {
      return { kind: "missing" };
    }
    if (stats.isDirectory()) return (await this.inside(file)) ? { kind: "directory" } : { kind: "missing" };
    if (!stats.isFile()) return { kind: "missing" };
    const known = this.entries.get(file);
    if (known && known.version === versionOf(stats)) return { kind: "file", entry: known };
    if (!(await this.inside(file))) return { kind: "missing" };
    return { kind: "file", entry: await this.load(file, stats) };
  }

  private async rootPath(): Promise<string | undefined> {
    if (this.realRoot) return this.realRoot;
    try {
      // Kept once found; until the folder exists (a build not run yet) every request looks again.
      this.realRoot = await fs.realpath(this.root);
    } catch {
      return undefined;
    }
    return this.realRoot;
  }

  /** Whether `file`, symlinks resolved, is the folder or lies inside it. */
  private async inside(file: string): Promise<boolean> {
    try {
      const real = await fs.realpath(file);
      return real === this.realRoot || real.startsWith(this.realRoot + path.sep);
    } catch {
      return false;
    }
  }

  private async load(file: string, stats: Stats): Promise<FileEntry> {
    const type = getMimeType(file) ?? "application/octet-stream";
    const body = stats.size <= MAX_CACHED_FILE ? await fs.readFile(file) : undefined;
    const html = type.startsWith("text/html");
    const entry: FileEntry = {
      file,
      size: body ? body.length : stats.size,
      type,
      // A kept file's tag is its content's hash (equal bytes, equal tag, across restarts); a large one's its size and time.
      etag: body ? `"${createHash("sha1").update(body).digest("base64url")}"` : `W/"${stats.size.toString(36)}-${Math.floor(stats.mtimeMs).toString(36)}"`,
      lastModified: stats.mtime.toUTCString(),
      immutable: !html && HASHED_NAME.test(file),
      compressible: COMPRESSIBLE_CONTENT_TYPE_REGEX.test(type),
      // A page too large to keep gets the policy without inline scripts.
      security: html ? pageSecurityHeaders(body ? body.toString("utf8") : "") : ASSET_SECURITY_HEADERS,
      body,
      version: versionOf(stats),
    };
    if (body) this.keep(entry);
    return entry;
  }

  private keep(entry: FileEntry): void {
    const old = this.entries.get(entry.file);
    if (old) this.cachedBytes -= old.size;
    this.entries.delete(entry.file);
    this.entries.set(entry.file, entry);
    this.cachedBytes += entry.size;
    // The oldest loaded goes first (Map keeps insertion order).
    for (const [key, value] of this.entries) {
      if (this.cachedBytes <= MAX_CACHED_TOTAL) break;
      this.entries.delete(key);
      this.cachedBytes -= value.size;
    }
  }
}

/** The compressed form of a kept file in `encoding`, made once per version of the file. */
export function compressedBody(entry: FileEntry, encoding: "br" | "gzip"): Buffer {
  if (encoding === "br") {
    entry.br ??= brotliCompressSync(entry.body!, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: entry.size } });
    return entry.br;
  }
  entry.gzip ??= gzipSync(entry.body!, { level: 9 });
  return entry.gzip;
}
