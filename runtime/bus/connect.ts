import { ErrorCode, connect, type NatsConnection } from "nats";
import { UnavailableError } from "../errors/index.ts";
import { ErrorCode as FuseCode } from "../protocol/index.ts";
import type { Logger } from "../log/index.ts";
import { checkWriteThreshold, reportNatsInternalsTo, withWriteThreshold } from "./nats-internals.ts";
import { natsAuthenticator } from "./nats-creds.ts";
import { natsTlsOption, type NatsTlsFiles } from "./nats-tls.ts";

export interface ConnectOptions {
  url: string;
  /** Connection name shown by the server (`nats server report connections`). */
  name: string;
  /** How long to keep retrying the first connection, in ms. Default 10 000. */
  connectTimeoutMs?: number;
  /**
   * Keep retrying while the server refuses the credential, within `connectTimeoutMs`: for a
   * process whose identity the server may not have loaded yet (an actor added to a running hub).
   * Otherwise a refusal is final at once: waiting would not change it.
   */
  retryRefusedCredential?: boolean;
  /**
   * Where to warn, once, when this nats.js keeps the private state Fuse reads differently
   * (see nats-internals.ts). Default: a process warning.
   */
  log?: Logger;
  /** The credential file (NKey seed or `.creds`) of this identity (FUSE_NATS_CREDS); none on a server without authentication. */
  credsFile?: string;
  /** Where this connection's reply inboxes live (`_INBOX.<identity>`): the only inboxes its identity may read. */
  inboxPrefix?: string;
  /** TLS files for a server that requires TLS (`bus.tls`); the server's certificate must chain to `ca`. */
  tls?: NatsTlsFiles;
}

const inboxPrefixes = new WeakMap<NatsConnection, string>();

/** The inbox prefix a connection was opened with (connectNats' `inboxPrefix`), for the inboxes Fuse makes itself. */
export function inboxPrefixOf(connection: NatsConnection): string | undefined {
  return inboxPrefixes.get(connection);
}

/**
 * Longest one connection attempt may take before another is made: nats.js waits 20 s by
 * default, so one attempt a busy server left unanswered used up the whole `connectTimeoutMs`.
 */
const ATTEMPT_MS = 5_000;

/** Connects to NATS, retrying while the server is still starting. */
export async function connectNats(options: ConnectOptions): Promise<NatsConnection> {
  const deadline = Date.now() + (options.connectTimeoutMs ?? 10_000);
  let lastError: unknown;
  if (options.log) reportNatsInternalsTo(options.log);
  const authenticator = options.credsFile ? natsAuthenticator(options.credsFile) : undefined;
  while (Date.now() < deadline) {
    try {
      const connection = await connect(
        withWriteThreshold({
          servers: options.url,
          name: options.name,
          // Request stacks are captured by Fuse only when an error surfaces (see sdk/call).
          noAsyncTraces: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 250,
          waitOnFirstConnect: false,
          timeout: Math.max(100, Math.min(ATTEMPT_MS, deadline - Date.now())),
          ...(authenticator ? { authenticator } : {}),
          ...(options.inboxPrefix ? { inboxPrefix: options.inboxPrefix } : {}),
          ...(options.tls ? { tls: natsTlsOption(options.tls) } : {}),
        }),
      );
      checkWriteThreshold(connection);
      if (options.inboxPrefix) inboxPrefixes.set(connection, options.inboxPrefix);
      return connection;
    } catch (error) {
      lastError = error;
      if (isRefusal(error) && !options.retryRefusedCredential) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // A server that refuses the credential says "Authorization Violation": named, not a bare timeout.
  if (isRefusal(lastError)) {
    throw new UnavailableError(`the bus at ${options.url} refused ${options.credsFile ? `the credential in ${options.credsFile}` : "a connection without a credential"}`, { cause: lastError, code: FuseCode.UNAUTHENTICATED, retryable: false });
  }
  const why = lastError instanceof Error ? `: ${lastError.message}` : "";
  throw new UnavailableError(`cannot connect to the bus at ${options.url} within ${options.connectTimeoutMs ?? 10_000} ms${why}`, { cause: lastError });
}

function isRefusal(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === ErrorCode.AuthorizationViolation;
}
