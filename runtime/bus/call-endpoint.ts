import { ErrorCode, Header, isPartitionSubject } from "../protocol/index.ts";
import { FuseError, NotFoundError, UnavailableError, fromWire } from "../errors/index.ts";
import type { Body, HeaderRecord, Reply, RequestOptions, Transport } from "./transport.ts";
import { isRawReply, replyAsResponse } from "./reply-body.ts";

const decoder = new TextDecoder();

/**
 * Reads a reply: the decoded output, or the FuseError it carries; a `rawOutput` endpoint's
 * reply is the `Response` its handler returned (`transport` reads a body kept in the object store).
 */
export function decodeReply(reply: Reply, transport?: Transport): unknown {
  const status = reply.header(Header.serviceErrorCode);
  if (status === undefined && transport && isRawReply(reply)) return replyAsResponse(reply, transport);
  const text = reply.data.length ? decoder.decode(reply.data) : "";
  if (status !== undefined) {
    const error = fromWire(text, Number(status), reply.header(Header.serviceError));
    throw reply.header(Header.notRun) === "1" ? neverDelivered(error) : error;
  }
  return text ? JSON.parse(text) : undefined;
}

export type CallEndpointOptions = RequestOptions & { headers: HeaderRecord };

/**
 * One request to an endpoint subject: encodes the input, decodes the reply, and tells an
 * unknown endpoint of a live actor (ENDPOINT_NOT_FOUND) from an actor with no live instance
 * (NO_LIVE_INSTANCE, retryable) by asking the actor what it serves only when nothing answered. On success
 * it costs a single promise: this is the hot path of every call.
 */
export function callEndpoint(
  transport: Transport,
  target: { subject: string; actor: string; endpoint: string },
  input: unknown,
  options: CallEndpointOptions,
): Promise<unknown> {
  const body = input === undefined ? "" : JSON.stringify(input);
  return transport.request(target.subject, body, options).then((reply) => decodeReply(reply, transport), (error: unknown) => explainNoReply(transport, target, error));
}

/**
 * Like `callEndpoint`, but with the body as bytes (or text) and the raw reply: error replies
 * resolve like any other (read `Nats-Service-Error-Code`), and only a request that got no
 * reply rejects, with ENDPOINT_NOT_FOUND, NO_LIVE_INSTANCE or DEADLINE_EXCEEDED. For relays
 * (the gateway) that pass bytes through without decoding them.
 */
export function requestEndpoint(
  transport: Transport,
  target: { subject: string; actor: string; endpoint: string },
  body: Body,
  options: CallEndpointOptions,
): Promise<Reply> {
  return transport.request(target.subject, body, options).catch((error: unknown) => explainNoReply(transport, target, error));
}

// Errors made here, from the bus's own "no responders": the request reached no handler.
const undelivered = new WeakSet<object>();

/**
 * Whether a call's error says the request certainly reached no handler: nothing listened on
 * its subject (NO_LIVE_INSTANCE, or ENDPOINT_NOT_FOUND of a live actor), or the instance that
 * took it refused it before running any handler (a reply marked `Fuse-Not-Run`). Other errors
 * that came in a reply, even a NO_LIVE_INSTANCE the remote handler met further on, are not:
 * that handler ran.
 */
export function notDelivered(error: unknown): boolean {
  return typeof error === "object" && error !== null && undelivered.has(error);
}

function neverDelivered<T extends FuseError>(error: T): T {
  undelivered.add(error);
  return error;
}

async function explainNoReply(transport: Transport, target: { subject: string; actor: string; endpoint: string }, error: unknown): Promise<never> {
  if (!(error instanceof FuseError) || error.code !== ErrorCode.NO_LIVE_INSTANCE) throw error;
  // A keyed actor's partition is between owners for a moment (scaling, a lost instance): try again.
  if (isPartitionSubject(target.subject)) {
    throw neverDelivered(new UnavailableError(`no instance of actor "${target.actor}" owns the partition of ${target.subject} yet (it is moving)`, { actor: target.actor }));
  }
  const presence = await transport.probe(target.actor, target.subject);
  if (presence === "lacks") {
    throw neverDelivered(
      new NotFoundError(ErrorCode.ENDPOINT_NOT_FOUND, `actor "${target.actor}" has no endpoint "${target.endpoint}"`, {
        actor: target.actor,
      }),
    );
  }
  // "declares": a live instance has the endpoint but was not subscribed to it yet (starting) or
  // any more (stopping); like no instance at all, the request reached nobody and may be retried.
  throw neverDelivered(new UnavailableError(`no live instance of actor "${target.actor}" serves ${target.subject}`, { actor: target.actor }));
}
