import { KvWatchInclude, headers as natsHeaders, type KV, type NatsConnection, type ObjectInfo as NatsObjectInfo, type ObjectStore } from "nats";
import { FuseError } from "../errors/index.ts";
import { ErrorCode } from "../protocol/index.ts";
import { kvDirectGet, kvWriteSubject, objectHeader, type KvDirectGet } from "./nats-internals.ts";
import type { ConditionalWrite, KeyValueBucket, KeyValueEntry, KeyValueOptions, ObjectBucket, ObjectInfo, StaleRevision } from "./stores.ts";
import type { Reply, RequestOptions } from "./transport.ts";

const CONTENT_TYPE = "Content-Type";
// JetStream's answer to a publish whose expected last subject sequence (a KV revision) is not
// the subject's latest: `{ err_code: 10071, description: "wrong last sequence: 7" }`.
const WRONG_LAST_SEQUENCE = 10071;

// The header a JetStream publish names the revision it expects the subject's latest to be with.
const EXPECTED_LAST_SUBJECT_SEQUENCE = "Nats-Expected-Last-Subject-Sequence";
// As long as nats.js's JetStream client waits for a publish's acknowledgement or a read.
const JETSTREAM_TIMEOUT_MS = 5_000;
// The headers a direct get's reply carries the entry's revision, subject and (for a delete or purge marker) operation in.
const SEQUENCE_HEADER = "Nats-Sequence";
const SUBJECT_HEADER = "Nats-Subject";
const KV_OPERATION_HEADER = "KV-Operation";
const NOT_FOUND = 404;
const EMPTY = new Uint8Array(0);

/** The transport's own request: one shared reply subscription and one sweep timer for all. */
export type BusRequest = (subject: string, body: Uint8Array, options: RequestOptions) => Promise<Reply>;

interface PubAck {
  seq?: number;
  error?: { code?: number; err_code?: number; description?: string };
}

/**
 * A compare-and-set of `subject` as the JetStream publish it is, sent through the transport's
 * request path. nats.js's kv.update goes through nc.request, which arms a timer and builds a
 * NatsError (with its stack) after every reply: a third of a keyed turn's CPU, measured. A
 * plain promise chain rather than an async function: a keyed turn waits on it, and every
 * promise costs the async hooks of the request context.
 */
function publishIf(request: BusRequest, subject: string, value: Uint8Array, expected: number): Promise<ConditionalWrite> {
  return request(subject, value, { headers: { [EXPECTED_LAST_SUBJECT_SEQUENCE]: String(expected) }, timeoutMs: JETSTREAM_TIMEOUT_MS }).then((reply) => acknowledged(subject, reply));
}

/**
 * The latest entry of a key, read with a direct get sent through the transport's request path
 * (as `publishIf` writes, and for the same reason: nats.js's kv.get arms a timer per read and
 * builds an error, with its stack, for every key it does not find). Undefined for a key that
 * holds nothing or whose latest entry is a delete or purge marker; "unknown" for any other
 * answer, which kv.get then reads again and reports as it does.
 */
function readDirect(request: BusRequest, get: KvDirectGet): Promise<KeyValueEntry | undefined | "unknown"> {
  return request(get.subject, EMPTY, { timeoutMs: JETSTREAM_TIMEOUT_MS }).then((reply) => {
    if (reply.status === NOT_FOUND) return undefined;
    const sequence = reply.header(SEQUENCE_HEADER);
    if (reply.status !== undefined || sequence === undefined || reply.header(SUBJECT_HEADER) !== get.keySubject) return "unknown";
    const operation = reply.header(KV_OPERATION_HEADER);
    if (operation !== undefined && operation !== "PUT") return undefined;
    return { value: reply.data, revision: Number(sequence) };
  });
}

function acknowledged(subject: string, reply: Reply): ConditionalWrite {
  let ack: PubAck;
  try {
    ack = JSON.parse(Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength).toString("utf8")) as PubAck;
  } catch {
    throw new FuseError(ErrorCode.INTERNAL, `JetStream answered the write to ${subject} with something other than an acknowledgement`);
  }
  if (ack.error) {
    if (ack.error.err_code === WRONG_LAST_SEQUENCE) return staleRevision({ api_error: ack.error });
    throw new FuseError(ErrorCode.INTERNAL, `JetStream refused the write to ${subject}: ${ack.error.description ?? `error ${ack.error.err_code}`}`, { details: { errCode: ack.error.err_code ?? null } });
  }
  if (typeof ack.seq !== "number") throw new FuseError(ErrorCode.INTERNAL, `JetStream acknowledged the write to ${subject} without a sequence`);
  return { ok: true, revision: ack.seq };
}

/** A lost compare-and-set as a value with the key's latest revision; any other error is rethrown. */
function staleRevision(error: unknown): StaleRevision {
  const api = (error as { api_error?: { err_code?: number; description?: string } }).api_error;
  if (api?.err_code !== WRONG_LAST_SEQUENCE) throw error;
  const actual = /(\d+)\s*$/.exec(api.description ?? "")?.[1];
  return { ok: false, actual: actual === undefined ? undefined : Number(actual) };
}

function toInfo(info: NatsObjectInfo): ObjectInfo {
  const out: ObjectInfo = { name: info.name, size: info.size, modified: Date.parse(info.mtime), digest: info.digest };
  const type = objectHeader(info.headers, CONTENT_TYPE);
  if (type) out.contentType = type;
  return out;
}

/**
 * A JetStream key-value bucket, created on first use. With `request` (the transport's), a
 * compare-and-set of an existing key is published through it rather than through nats.js.
 */
export async function openKeyValue(nc: NatsConnection, bucket: string, options: KeyValueOptions = {}, request?: BusRequest): Promise<KeyValueBucket> {
  const kv: KV = await nc.jetstream().views.kv(bucket, { history: 1, ...(options.ttlMs ? { ttl: options.ttlMs } : {}), ...(options.replicas ? { replicas: options.replicas } : {}) });
  return {
    async get(key) {
      const direct = request && kvDirectGet(kv, key);
      if (direct) {
        const read = await readDirect(request!, direct);
        if (read !== "unknown") return read;
      }
      const entry = await kv.get(key);
      if (!entry || entry.operation !== "PUT") return undefined;
      return { value: entry.value, revision: entry.revision };
    },
    put: (key, value) => kv.put(key, value),
    putIf(key, value, expected) {
      let subject: string | undefined;
      try {
        subject = request ? kvWriteSubject(kv, key) : undefined;
      } catch (invalidKey) {
        return Promise.reject(invalidKey as Error);
      }
      if (subject && expected > 0) return publishIf(request!, subject, value, expected);
      // kv.create also takes a key whose latest entry is a delete marker, as "absent" means: a
      // key that never held anything is created in one publish, any other goes through it.
      const create = () => kv.create(key, value).then((revision): ConditionalWrite => ({ ok: true, revision }), staleRevision);
      if (subject) return publishIf(request!, subject, value, 0).then((written) => (written.ok ? written : create()));
      return expected === 0 ? create() : kv.update(key, value, expected).then((revision): ConditionalWrite => ({ ok: true, revision }), staleRevision);
    },
    async delete(key) {
      await kv.delete(key);
    },
    async deleteIf(key, expected) {
      try {
        await kv.delete(key, { previousSeq: expected });
        return { ok: true };
      } catch (error) {
        return staleRevision(error);
      }
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
export async function openObjects(nc: NatsConnection, bucket: string, replicas?: number): Promise<ObjectBucket> {
  const os: ObjectStore = await nc.jetstream().views.os(bucket, replicas ? { replicas } : {});
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
