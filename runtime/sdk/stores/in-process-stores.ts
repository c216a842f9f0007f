import { createHash } from "node:crypto";
import { matchesFilter, type KeyValueBucket, type KeyValueEntry, type KeyValueOptions, type ObjectBucket, type ObjectInfo } from "../../bus/index.ts";

/** An in-memory key-value bucket with the behaviour of a JetStream one (TTL, revisions, watch). */
export function memoryKeyValue(options: KeyValueOptions = {}): KeyValueBucket {
  const entries = new Map<string, KeyValueEntry & { at: number }>();
  const watchers = new Set<{ filter: string; onChange: (key: string, entry: KeyValueEntry | undefined) => void }>();
  let revision = 0;
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && options.ttlMs && Date.now() - entry.at > options.ttlMs) entries.delete(key);
    return entries.get(key);
  };
  const notify = (key: string, entry: KeyValueEntry | undefined) => {
    for (const w of watchers) if (matchesFilter(w.filter, key)) queueMicrotask(() => w.onChange(key, entry));
  };
  const put = (key: string, value: Uint8Array) => {
    const entry = { value, revision: ++revision, at: Date.now() };
    entries.set(key, entry);
    notify(key, { value, revision: entry.revision });
    return entry.revision;
  };
  const remove = (key: string) => {
    entries.delete(key);
    notify(key, undefined);
  };
  return {
    async get(key) {
      const entry = live(key);
      return entry ? { value: entry.value, revision: entry.revision } : undefined;
    },
    async put(key, value) {
      return put(key, value);
    },
    // Check and write in one synchronous step, as JetStream checks the expected revision and
    // appends in one step on the server.
    async putIf(key, value, expected) {
      const actual = live(key)?.revision;
      if ((actual ?? 0) !== expected) return { ok: false, actual };
      return { ok: true, revision: put(key, value) };
    },
    async delete(key) {
      remove(key);
    },
    async deleteIf(key, expected) {
      const actual = live(key)?.revision;
      if (actual !== expected) return { ok: false, actual };
      remove(key);
      return { ok: true };
    },
    async keys(filter = ">") {
      return [...entries.keys()].filter((k) => live(k) && matchesFilter(filter, k));
    },
    async watch(filter, onChange) {
      const watcher = { filter, onChange };
      watchers.add(watcher);
      return () => watchers.delete(watcher);
    },
  };
}

/** An in-memory object bucket. */
export function memoryObjects(): ObjectBucket {
  const objects = new Map<string, { info: ObjectInfo; data: Buffer }>();
  return {
    async put(name, data, meta = {}) {
      const chunks: Uint8Array[] = [];
      if (data instanceof Uint8Array) chunks.push(data);
      else for await (const chunk of data) chunks.push(chunk);
      const buffer = Buffer.concat(chunks);
      const info: ObjectInfo = {
        name,
        size: buffer.length,
        modified: Date.now(),
        digest: `SHA-256=${createHash("sha256").update(buffer).digest("base64url")}`,
        ...(meta.contentType ? { contentType: meta.contentType } : {}),
      };
      objects.set(name, { info, data: buffer });
      return info;
    },
    async get(name) {
      const object = objects.get(name);
      if (!object) return undefined;
      return { info: object.info, data: (async function* () { yield object.data; })() };
    },
    async info(name) {
      return objects.get(name)?.info;
    },
    async list() {
      return [...objects.values()].map((o) => o.info);
    },
    async delete(name) {
      return objects.delete(name);
    },
  };
}
