import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import path from "node:path";
import { ErrorCode, NAME_RULE, isValidName } from "../protocol/index.ts";
import { FuseError } from "../errors/index.ts";
import { KEYS_FOLDER } from "./hub-keys.ts";

/**
 * API keys of a hub: `fuse_<id>_<secret>`, shown once when created. Only a SHA-256 of the secret
 * is kept, in `.fuse/keys/api-keys.json` (0600 in a 0700 folder), never in `config/fuse.yaml`.
 * The secret is 256 random bits, so a plain hash is enough: there is nothing to guess that a
 * slow password hash would protect. The id is public (it names the key in listings) and lets a
 * presented key be found without trying every hash.
 */

export const API_KEY_PREFIX = "fuse_";
const ID_BYTES = 8;
const SECRET_BYTES = 32;
const STORE_VERSION = 1;

/** One stored key; the secret itself is never stored. */
export interface ApiKeyRecord {
  name: string;
  /** Public id, 16 hex characters: part of the key text, shown (its end) by `fuse keys ls`. */
  id: string;
  roles: string[];
  /** SHA-256 of the secret, hex. */
  hash: string;
  /** Epoch ms. */
  created: number;
  /** Epoch ms; null: never expires. */
  expires: number | null;
}

export interface CreatedApiKey {
  /** The key to hand to the client: the only time it exists outside the client. */
  key: string;
  record: ApiKeyRecord;
}

export interface CreateApiKeyOptions {
  name: string;
  roles: string[];
  /** Lifetime in ms from now; undefined: no expiry. */
  expiresInMs?: number;
  now?: number;
}

/** The key file of the hub in `hubDir`. */
export function apiKeyFile(hubDir: string): string {
  return path.join(hubDir, ".fuse", KEYS_FOLDER, "api-keys.json");
}

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/** Splits a presented key into id and secret; undefined for text that is not a Fuse API key. */
export function parseApiKey(text: string): { id: string; secret: string } | undefined {
  if (!text.startsWith(API_KEY_PREFIX)) return undefined;
  const rest = text.slice(API_KEY_PREFIX.length);
  const cut = rest.indexOf("_");
  if (cut !== ID_BYTES * 2) return undefined;
  const id = rest.slice(0, cut);
  const secret = rest.slice(cut + 1);
  if (!/^[0-9a-f]+$/.test(id) || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
  return { id, secret };
}

function storeError(file: string, message: string, cause?: unknown): FuseError {
  return new FuseError(ErrorCode.CONFIG_INVALID, `${file}: ${message}`, { details: { file }, cause });
}

function isRecord(value: unknown): value is ApiKeyRecord {
  const r = value as ApiKeyRecord;
  return (
    typeof r === "object" && r !== null && typeof r.name === "string" && typeof r.id === "string" && typeof r.hash === "string" &&
    Array.isArray(r.roles) && r.roles.every((x) => typeof x === "string") && typeof r.created === "number" && (r.expires === null || typeof r.expires === "number")
  );
}

/** The stored keys; none when the file does not exist. A damaged file is an error, never "no keys". */
export function readApiKeys(file: string): ApiKeyRecord[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw storeError(file, `cannot read the API key file: ${(error as Error).message}`, error);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw storeError(file, "the API key file is not JSON", error);
  }
  const keys = (data as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || !keys.every(isRecord)) throw storeError(file, 'expected { "version": 1, "keys": [...] } with name, id, roles, hash, created and expires in each key');
  return keys;
}

/**
 * Writes the whole list: a private temporary file renamed over the old one, so that a reader
 * (the gateway) never sees half a file, and sees a new inode it notices at once.
 */
function writeApiKeys(file: string, keys: ApiKeyRecord[]): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  chmodSync(path.dirname(dir), 0o700);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ version: STORE_VERSION, keys }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

function checkNames(name: string, roles: string[]): void {
  if (!isValidName(name)) throw new FuseError(ErrorCode.VALIDATION_FAILED, `key name ${JSON.stringify(name)}: expected ${NAME_RULE}`, { details: { name } });
  if (!roles.length) throw new FuseError(ErrorCode.VALIDATION_FAILED, "a key needs a role: --role admin or --role user (or another role name)");
  for (const role of roles) {
    if (!isValidName(role)) throw new FuseError(ErrorCode.VALIDATION_FAILED, `role ${JSON.stringify(role)}: expected ${NAME_RULE}`, { details: { role } });
  }
}

/** Makes a key, stores its hash and returns the key text, which is not kept anywhere. */
export function createApiKey(file: string, options: CreateApiKeyOptions): CreatedApiKey {
  const roles = [...new Set(options.roles)];
  checkNames(options.name, roles);
  const keys = readApiKeys(file);
  if (keys.some((k) => k.name === options.name)) {
    throw new FuseError(ErrorCode.CONFLICT, `a key named "${options.name}" exists already: revoke it first (fuse keys revoke ${options.name}) or choose another name`, { details: { name: options.name } });
  }
  const now = options.now ?? Date.now();
  const id = randomBytes(ID_BYTES).toString("hex");
  const secret = randomBytes(SECRET_BYTES).toString("base64url");
  const record: ApiKeyRecord = { name: options.name, id, roles, hash: sha256(secret).toString("hex"), created: now, expires: options.expiresInMs === undefined ? null : now + options.expiresInMs };
  writeApiKeys(file, [...keys, record]);
  return { key: `${API_KEY_PREFIX}${id}_${secret}`, record };
}

/** Deletes the key named `name`; NOT_FOUND when there is none. Returns the removed record. */
export function revokeApiKey(file: string, name: string): ApiKeyRecord {
  const keys = readApiKeys(file);
  const found = keys.find((k) => k.name === name);
  if (!found) {
    throw new FuseError(ErrorCode.NOT_FOUND, `no API key named ${JSON.stringify(name)}${keys.length ? `; the keys are ${keys.map((k) => k.name).join(", ")}` : "; this hub has none"}`, { details: { name } });
  }
  writeApiKeys(file, keys.filter((k) => k !== found));
  return found;
}

/** Why a presented key is refused; undefined for a valid key. */
export type ApiKeyRefusal = "malformed" | "unknown" | "expired";

/**
 * Checks a presented key against the stored ones by its id, comparing hashes in constant time.
 * Returns the record, or why it is refused.
 */
export function verifyApiKey(byId: ReadonlyMap<string, ApiKeyRecord>, text: string, now = Date.now()): ApiKeyRecord | ApiKeyRefusal {
  const parsed = parseApiKey(text);
  if (!parsed) return "malformed";
  const record = byId.get(parsed.id);
  if (!record) return "unknown";
  const stored = Buffer.from(record.hash, "hex");
  const given = sha256(parsed.secret);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return "unknown";
  if (record.expires !== null && record.expires <= now) return "expired";
  return record;
}

/**
 * The stored keys as the gateway reads them, reloaded when the file changed (a new inode from
 * the atomic rename, or another mtime or size), so a key created or revoked by `fuse keys`
 * counts from the very next request. With `watch()`, the folder is watched (inotify) and the
 * file is looked at only after an event: the kernel queues the event when `fuse keys` renames
 * the file, before any later request reaches the gateway's event loop, so a request costs no
 * system call. Without a watch (or if it fails) every call stats the file instead.
 */
export class ApiKeyStore {
  private stamp = "";
  private byIdMap: Map<string, ApiKeyRecord> = new Map();
  private watcher: FSWatcher | undefined;
  private dirty = true;
  /** Whether `watch()` was asked for: a watch lost with its folder is made again. */
  private watching = false;

  constructor(readonly file: string) {}

  /** Watches the key folder (made 0700 if missing); false when the platform cannot, and every call stats. */
  watch(): boolean {
    const dir = path.dirname(this.file);
    this.watching = true;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const ino = statSync(dir).ino;
      const watcher = watch(dir, { persistent: false }, () => {
        this.dirty = true;
        // The folder itself went away (or was made anew already): this watch sees nothing more; the next call watches anew.
        if (statSync(dir, { throwIfNoEntry: false })?.ino !== ino) this.unwatch(watcher);
      });
      watcher.on("error", () => this.unwatch(watcher));
      this.watcher = watcher;
      this.dirty = true;
      return true;
    } catch {
      // No watch here (a platform or file system without one): every call stats the file.
      this.watching = false;
      return false;
    }
  }

  private unwatch(watcher: FSWatcher): void {
    watcher.close();
    if (this.watcher === watcher) this.watcher = undefined;
  }

  close(): void {
    this.watching = false;
    if (this.watcher) this.unwatch(this.watcher);
  }

  /** Keys by id, fresh; `changed` is true when they were reloaded by this call. */
  current(): { byId: ReadonlyMap<string, ApiKeyRecord>; changed: boolean } {
    if (this.watcher && !this.dirty) return { byId: this.byIdMap, changed: false };
    if (this.watching && !this.watcher) this.watch();
    // Cleared before reading: an event during the read marks it again.
    this.dirty = false;
    const s = statSync(this.file, { throwIfNoEntry: false });
    const stamp = s ? `${s.ino}:${s.mtimeMs}:${s.size}` : "none";
    if (stamp === this.stamp) return { byId: this.byIdMap, changed: false };
    try {
      this.byIdMap = new Map(readApiKeys(this.file).map((k) => [k.id, k]));
    } catch (error) {
      this.dirty = true;
      throw error;
    }
    this.stamp = stamp;
    return { byId: this.byIdMap, changed: true };
  }
}

/** `30d`, `12h`, `90m`, `45s`, `2w` → ms; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as "s" | "m" | "h" | "d" | "w"];
  const ms = Number(match[1]) * unit;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}
