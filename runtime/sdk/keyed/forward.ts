import type { IncomingRequest, Transport } from "../../bus/index.ts";
import { DeadlineExceededError, toFuseError, toWire } from "../../errors/index.ts";
import { ErrorCode, Header } from "../../protocol/index.ts";
import { DEFAULT_TIMEOUT_MS } from "../caller.ts";

/** The request headers a forwarded keyed request keeps (the reply's are the error and HTTP ones). */
const REQUEST_HEADERS = [Header.traceId, Header.deadline, Header.caller, Header.idempotencyKey, Header.key, Header.principal, Header.httpMethod, Header.httpPath, Header.clientAddress];
const REPLY_HEADERS = [Header.serviceErrorCode, Header.serviceError, Header.notRun, Header.httpSetCookie];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Hands a keyed request that came on the plain endpoint subject (a client that does not hash
 * keys) to its partition's owner and relays the reply. While the partition has no owner (it is
 * moving) it tries again within the request's deadline: nothing ran yet.
 */
export async function forwardToPartition(transport: Transport, subject: string, request: IncomingRequest): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of REQUEST_HEADERS) {
    const value = request.header(name);
    if (value !== undefined) headers[name] = value;
  }
  const deadline = Number(headers[Header.deadline] ?? Date.now() + DEFAULT_TIMEOUT_MS);
  let backoff = 50;
  for (;;) {
    try {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new DeadlineExceededError(`no reply from the owner of ${subject} in time`);
      const reply = await transport.request(subject, request.data, { headers, timeoutMs: remaining });
      const replyHeaders: Record<string, string> = {};
      for (const name of REPLY_HEADERS) {
        const value = reply.header(name);
        if (value !== undefined) replyHeaders[name] = value;
      }
      return request.respond(reply.data, replyHeaders);
    } catch (error) {
      const fuse = toFuseError(error);
      if (fuse.code === ErrorCode.NO_LIVE_INSTANCE && deadline - Date.now() > backoff) {
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 1_000);
        continue;
      }
      const wire = toWire(fuse);
      try {
        return request.respond(wire.body, wire.headers);
      } catch {
        return;
      }
    }
  }
}
