import type { Msg, MsgHdrs } from "nats";
import { ValidationError } from "../errors/index.ts";
import { encodedHeaders, headerBlock, subjectBytes } from "./nats-internals.ts";
import type { HeaderRecord } from "./transport.ts";

// The hot path of every call reads and writes messages here rather than through nats.js's
// general-purpose objects, which cost more to build, encode and decode than the message does
// to send. NATS headers go in the wire format nats.js reads and writes ("NATS/1.0", then
// "Key: value" lines, then an empty line); a reply's sequence number is read from the
// subject's bytes without decoding the subject. What this needs of nats.js's private state is
// read through nats-internals.ts.

const STATUS_LINE = "NATS/1.0";
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// Header names repeat (a handful per hub), so each is checked once.
const knownNames = new Set<string>();
const MAX_KNOWN_NAMES = 1024;

function rememberName(name: string): boolean {
  if (!TOKEN.test(name)) return false;
  if (knownNames.size < MAX_KNOWN_NAMES) knownNames.add(name);
  return true;
}

/**
 * Encodes a header record for a publish.
 * @throws VALIDATION_FAILED naming the header when a name is not an HTTP token or a value
 *   holds a line break (which would forge further headers).
 */
export function encodeHeaders(record: HeaderRecord | undefined): MsgHdrs | undefined {
  if (!record) return undefined;
  let text = STATUS_LINE;
  for (const key in record) {
    const value = record[key]!;
    if (!knownNames.has(key) && !rememberName(key)) throw new ValidationError(`header name ${JSON.stringify(key)} is not a valid token`);
    if (value.includes("\r") || value.includes("\n")) throw new ValidationError(`header ${key}: the value holds a line break`);
    text += `\r\n${key}: ${value.trim()}`;
  }
  return encodedHeaders(Buffer.from(`${text}\r\n\r\n`), record);
}

/**
 * The header lines of a received message, parsed on first use. Names match case-insensitively,
 * as in HTTP, so a client in another language writing `fuse-trace-id` is understood.
 */
export class ReceivedHeaders {
  /** Lower-cased name, value, lower-cased name, value, … */
  private pairs: string[] | undefined;

  constructor(private readonly block: Uint8Array) {}

  get(name: string): string | undefined {
    const pairs = (this.pairs ??= parseBlock(this.block));
    const lower = lowerCase(name);
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === lower) return pairs[i + 1];
    return undefined;
  }
}

// The names looked up are a few constants, so their lower-case forms are kept.
const lowerNames = new Map<string, string>();

function lowerCase(name: string): string {
  let lower = lowerNames.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowerNames.size < MAX_KNOWN_NAMES) lowerNames.set(name, lower);
  }
  return lower;
}

function parseBlock(block: Uint8Array): string[] {
  const text = Buffer.from(block.buffer, block.byteOffset, block.length).toString("utf8");
  const pairs: string[] = [];
  let at = text.indexOf("\r\n");
  while (at >= 0 && at < text.length) {
    const start = at + 2;
    const end = text.indexOf("\r\n", start);
    const line = text.slice(start, end < 0 ? undefined : end);
    const colon = line.indexOf(":");
    if (colon > 0) pairs.push(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    at = end;
  }
  return pairs;
}

const noHeaders = (): undefined => undefined;

/** A reader of one header of a received message by name. */
export function headerReader(msg: Msg): (name: string) => string | undefined {
  const block = headerBlock(msg);
  if (block === null) return noHeaders;
  if (block === undefined) return (name) => msg.headers?.get(name) || undefined;
  const headers = new ReceivedHeaders(block);
  return (name) => headers.get(name) || undefined;
}

const DOT = 0x2e;
const ZERO = 0x30;

/**
 * The number after the last dot of a message's subject (`<inbox>.<n>`), or NaN. Read from
 * the subject's bytes when this nats.js keeps them, else from the decoded subject.
 */
export function subjectSequence(msg: Msg): number {
  const bytes = subjectBytes(msg);
  if (!bytes) return Number(msg.subject.slice(msg.subject.lastIndexOf(".") + 1) || NaN);
  let value = 0;
  let i = bytes.length - 1;
  for (let scale = 1; i >= 0 && bytes[i] !== DOT; i--, scale *= 10) {
    const digit = bytes[i]! - ZERO;
    if (digit < 0 || digit > 9) return NaN;
    value += digit * scale;
  }
  return i === bytes.length - 1 ? NaN : value;
}
