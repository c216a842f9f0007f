import { headers as natsHeaders, type KV, type NatsConnection, type ObjectInfo as NatsObjectInfo, type ObjectStore } from "nats";
import type { KeyValueBucket, KeyValueOptions, ObjectBucket, ObjectInfo } from "./stores.ts";

const CONTENT_TYPE = "Content-Type";

function toInfo(info: NatsObjectInfo): ObjectInfo {
  const out: ObjectInfo = { name: info.name, size: info.size, modified: Date.parse(info.mtime), digest: info.digest };
  // Typed as MsgHdrs, but what comes back from the server is the plain JSON record.
  const headers = info.headers as unknown as { get?: (k: string) => string } & Record<string, string[] | undefined>;
  const type = typeof headers?.get === "function" ? headers.get(CONTENT_TYPE) : headers?.[CONTENT_TYPE]?.[0];
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
      const watcher = await kv.watch({ key: filter, include: "updates-only" as never });
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
      return { info: toInfo(result.info), data: result.data as unknown as AsyncIterable<Uint8Array> };
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
