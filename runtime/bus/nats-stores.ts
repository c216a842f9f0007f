import { KvWatchInclude, headers as natsHeaders, type KV, type NatsConnection, type ObjectInfo as NatsObjectInfo, type ObjectStore } from "nats";
import { objectHeader } from "./nats-internals.ts";
import type { KeyValueBucket, KeyValueOptions, ObjectBucket, ObjectInfo } from "./stores.ts";

const CONTENT_TYPE = "Content-Type";

function toInfo(info: NatsObjectInfo): ObjectInfo {
  const out: ObjectInfo = { name: info.name, size: info.size, modified: Date.parse(info.mtime), digest: info.digest };
  const type = objectHeader(info.headers, CONTENT_TYPE);
  if (type) out.contentType = type;
  return out;
}

/** A JetStream key-value bucket, created on first use. */
export async function openKeyValue(nc: NatsConnection, bucket: string, options: KeyValueOptions = {}): Promise<KeyValueBucket> {
  const kv: KV = await nc.jetstream().views.kv(bucket, { history: 1, ...(options.ttlMs ? { ttl: options.ttlMs } : {}) });
  return {
    async get(key) {
      const entry = await kv.get(key);
      if (!entry || entry.operation !== "PUT") return undefined;
      return { value: entry.value, revision: entry.revision };
    },
    put: (key, value) => kv.put(key, value),
    async delete(key) {
      await kv.delete(key);
    },
    async keys(filter) {
      const out: string[] = [];
      for await (const key of await kv.keys(filter)) out.push(key);
      return out;
    },
    async watch(filter, onChange) {
      const watcher = await kv.watch({ key: filter, include: KvWatchInclude.UpdatesOnly });
      void (async () => {
        for await (const e of watcher) {
          onChange(e.key, e.operation === "PUT" ? { value: e.value, revision: e.revision } : undefined);
        }
      })();
      return () => watcher.stop();
    },
  };
}

/** A JetStream object store bucket, created on first use. */
export async function openObjects(nc: NatsConnection, bucket: string): Promise<ObjectBucket> {
  const os: ObjectStore = await nc.jetstream().views.os(bucket);
  return {
    async put(name, data, meta = {}) {
      const stream = data instanceof Uint8Array ? ReadableStream.from([data]) : ReadableStream.from(data);
      const h = natsHeaders();
      if (meta.contentType) h.set(CONTENT_TYPE, meta.contentType);
      return toInfo(await os.put({ name, headers: h }, stream as ReadableStream<Uint8Array>));
    },
    async get(name) {
      const result = await os.get(name);
      if (!result) return undefined;
      return { info: toInfo(result.info), data: result.data };
    },
    async info(name) {
      const info = await os.info(name);
      return info && !info.deleted ? toInfo(info) : undefined;
    },
    async list() {
      return (await os.list()).filter((i) => !i.deleted).map(toInfo);
    },
    async delete(name) {
      const info = await os.info(name);
      if (!info || info.deleted) return false;
      await os.delete(name);
      return true;
    },
  };
}
