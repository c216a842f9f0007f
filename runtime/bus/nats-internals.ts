import { headers as natsHeaders, type ConnectionOptions, type KV, type Msg, type MsgHdrs, type NatsConnection } from "nats";
import type { Logger } from "../log/index.ts";

// The one place Fuse depends on what nats.js keeps private. Each use checks the field or
// method it reads before relying on it and, when this nats.js keeps things differently,
// falls back to the public API and reports the change once per process. The integration
// test test/integration/nats-wire.test.ts runs `checkNatsInternals` on a live connection, so a
// nats.js upgrade that changes any of this fails there, naming this file.

const MODULE = "runtime/bus/nats-internals.ts";

/**
 * Bytes nats.js buffers before it writes them out without waiting for the end of the
 * microtask queue (its default is 32 KiB). Under load a burst of calls then leaves in several
 * writes, so the other side starts on the first ones while the rest are still being made.
 * nats.js reads this hidden `pendingLimit` option but leaves it out of its typings.
 */
export const WRITE_THRESHOLD_BYTES = 8 * 1024;

/** What this module reads, as reported when it changes. */
const Kept = {
  writeThreshold: `its write threshold in protocol.pendingLimit, set by the hidden pendingLimit option (${WRITE_THRESHOLD_BYTES})`,
  headerLength: "a message's header length in _msg.hdr (a number)",
  messageBytes: "a message's bytes in _rdata (a Uint8Array)",
  subjectBytes: "a message's subject bytes in _msg.subject (a Uint8Array)",
  encode: "the encode() method on header objects, the only one publish calls",
  kvSubject: "a KV bucket's write subject from kv.validateKey() and kv.subjectForKey(kv.encodeKey(key), true)",
  kvDirectGet: "a KV bucket's direct reads in kv.direct, kv.bucketName(), kv.js.apiPrefix, kv.validateKey() and kv.subjectForKey(kv.encodeKey(key))",
} as const;

let report: (problem: string) => void = (problem) => process.emitWarning(problem, { code: "FUSE_NATS_INTERNALS" });
const reported = new Set<string>();

/** Sends the reports of changed nats.js internals to `log` (warn) instead of a process warning. */
export function reportNatsInternalsTo(log: Logger): void {
  report = (problem) => log.warn({ mod: "bus.nats-internals", problem }, "nats.js internals changed");
}

function fallBack(what: string, instead: string): void {
  const problem = `${MODULE}: nats.js no longer keeps ${what}; using ${instead} instead`;
  if (reported.has(problem)) return;
  reported.add(problem);
  report(problem);
}

/**
 * The subject a KV bucket's writes of `key` are published on (`$KV.<bucket>.<key>`, or the
 * mirror's or domain's), as nats.js's own put computes it; undefined when nats.js no longer
 * keeps those methods (the caller then writes through kv.create or kv.update). @throws as
 * nats.js's put does for a key that is not valid.
 */
export function kvWriteSubject(kv: KV, key: string): string | undefined {
  const k = kv as unknown as { subjectForKey?: (key: string, edit: boolean) => string; encodeKey?: (key: string) => string; validateKey?: (key: string) => void };
  if (typeof k.subjectForKey !== "function" || typeof k.encodeKey !== "function" || typeof k.validateKey !== "function") {
    fallBack(Kept.kvSubject, "kv.create and kv.update");
    return undefined;
  }
  const encoded = k.encodeKey(key);
  k.validateKey(encoded);
  return k.subjectForKey(encoded, true);
}

/** Where the latest entry of a KV key is read directly: the request's subject, and the key's own subject, which the entry names. */
export interface KvDirectGet {
  subject: string;
  keySubject: string;
}

/**
 * The direct-get request for the latest entry of `key`
 * (`$JS.API.DIRECT.GET.KV_<bucket>.$KV.<bucket>.<key>`), as nats.js's own kv.get builds it;
 * undefined when the bucket does not allow direct reads, or when nats.js no longer keeps what
 * this reads (the caller then reads through kv.get). @throws as kv.get does for a key that is
 * not valid.
 */
export function kvDirectGet(kv: KV, key: string): KvDirectGet | undefined {
  const k = kv as unknown as {
    direct?: boolean;
    js?: { apiPrefix?: string };
    bucketName?: () => string;
    validateKey?: (key: string) => void;
    subjectForKey?: (key: string, edit?: boolean) => string;
    encodeKey?: (key: string) => string;
  };
  if (typeof k.direct !== "boolean" || typeof k.js?.apiPrefix !== "string" || typeof k.bucketName !== "function" || typeof k.validateKey !== "function" || typeof k.subjectForKey !== "function" || typeof k.encodeKey !== "function") {
    fallBack(Kept.kvDirectGet, "kv.get");
    return undefined;
  }
  if (!k.direct) return undefined;
  const encoded = k.encodeKey(key);
  k.validateKey(encoded);
  const keySubject = k.subjectForKey(encoded);
  return { subject: `${k.js.apiPrefix}.DIRECT.GET.${k.bucketName()}.${keySubject}`, keySubject };
}

/** Connection options with nats.js's hidden write threshold set to WRITE_THRESHOLD_BYTES. */
export function withWriteThreshold(options: ConnectionOptions): ConnectionOptions {
  return { ...options, pendingLimit: WRITE_THRESHOLD_BYTES } as ConnectionOptions;
}

/** The write threshold a connection applies, or undefined when nats.js keeps it elsewhere. */
export function writeThresholdOf(connection: NatsConnection): number | undefined {
  const limit = (connection as unknown as { protocol?: { pendingLimit?: unknown } }).protocol?.pendingLimit;
  return typeof limit === "number" ? limit : undefined;
}

/** Reports once when a connection made with `withWriteThreshold` does not apply it. */
export function checkWriteThreshold(connection: NatsConnection): void {
  if (writeThresholdOf(connection) !== WRITE_THRESHOLD_BYTES) {
    fallBack(Kept.writeThreshold, "its default threshold");
  }
}

/** What nats.js keeps of a received message. */
interface MessageInternals {
  _msg?: { hdr?: unknown; subject?: unknown };
  _rdata?: unknown;
  /** A service message wraps the connection's message. */
  msg?: MessageInternals;
}

function internalsOf(msg: Msg): MessageInternals {
  const m = msg as unknown as MessageInternals;
  return m.msg && !m._msg ? m.msg : m;
}

/**
 * The header block of a received message as bytes, `null` when it has none, or `undefined`
 * when this nats.js keeps messages differently (the caller then uses `msg.headers`).
 */
export function headerBlock(msg: Msg): Uint8Array | null | undefined {
  const m = internalsOf(msg);
  const hdr = m._msg?.hdr;
  const raw = m._rdata;
  if (typeof hdr !== "number" || !(raw instanceof Uint8Array)) {
    fallBack(`${Kept.headerLength} and ${Kept.messageBytes}`, "msg.headers");
    return undefined;
  }
  return hdr > -1 ? raw.subarray(0, hdr) : null;
}

/** A received message's subject as bytes, or undefined when this nats.js keeps it differently. */
export function subjectBytes(msg: Msg): Uint8Array | undefined {
  const bytes = internalsOf(msg)._msg?.subject;
  if (bytes instanceof Uint8Array) return bytes;
  fallBack(Kept.subjectBytes, "msg.subject");
  return undefined;
}

/** Header bytes standing in for nats.js's header object, of which `publish` only calls `encode()`. */
class EncodedHeaders {
  constructor(private readonly bytes: Uint8Array) {}
  encode(): Uint8Array {
    return this.bytes;
  }
}

let headerObjectsEncode: boolean | undefined;

/**
 * Headers already in the NATS wire format, for a publish. Without nats.js's header object
 * (which costs more to build and encode than the message does to send), unless its header
 * objects no longer encode themselves through `encode()`: then the block is parsed into one.
 */
export function encodedHeaders(block: Uint8Array, record: Record<string, string>): MsgHdrs {
  headerObjectsEncode ??= headersEncode();
  if (headerObjectsEncode) return new EncodedHeaders(block) as unknown as MsgHdrs;
  fallBack(Kept.encode, "nats.js's headers()");
  const h = natsHeaders();
  for (const key in record) h.set(key, record[key]!.trim());
  return h;
}

function headersEncode(): boolean {
  return typeof (natsHeaders() as { encode?: unknown }).encode === "function";
}

/**
 * The content type an object store keeps in an object's headers. Typed as MsgHdrs, but what
 * comes back from the server is the plain JSON record of header names to value lists.
 */
export function objectHeader(headers: MsgHdrs | undefined, name: string): string | undefined {
  const h = headers as unknown as ({ get?: (k: string) => string } & Record<string, unknown>) | undefined;
  if (!h) return undefined;
  if (typeof h.get === "function") return h.get(name) || undefined;
  const values = h[name];
  return Array.isArray(values) && typeof values[0] === "string" ? values[0] : undefined;
}

/**
 * Every private field and method of nats.js this module reads, checked on a live connection
 * made by `connectNats` and on messages it received (a plain one, a service request or both): an empty list when
 * all are as expected, else one line per change, naming this module.
 */
export function checkNatsInternals(connection: NatsConnection, received: Msg[]): string[] {
  const problems: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(`${MODULE}: nats.js no longer keeps ${what}`);
  };
  expect(writeThresholdOf(connection) === WRITE_THRESHOLD_BYTES, Kept.writeThreshold);
  expect(headersEncode(), Kept.encode);
  for (const msg of received) {
    const m = internalsOf(msg);
    expect(typeof m._msg?.hdr === "number", Kept.headerLength);
    expect(m._rdata instanceof Uint8Array, Kept.messageBytes);
    expect(m._msg?.subject instanceof Uint8Array, Kept.subjectBytes);
  }
  return problems;
}
