import { connect, type NatsConnection } from "nats";
import { UnavailableError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import { checkWriteThreshold, reportNatsInternalsTo, withWriteThreshold } from "./nats-internals.ts";
import { natsTlsOption, type NatsTlsFiles } from "./nats-tls.ts";

export interface ConnectOptions {
  url: string;
  /** Connection name shown by the server (`nats server report connections`). */
  name: string;
  /** How long to keep retrying the first connection, in ms. Default 10 000. */
  connectTimeoutMs?: number;
  /**
   * Where to warn, once, when this nats.js keeps the private state Fuse reads differently
   * (see nats-internals.ts). Default: a process warning.
   */
  log?: Logger;
  /** TLS files for a server that requires TLS (`bus.tls`); the server's certificate must chain to `ca`. */
  tls?: NatsTlsFiles;
}

/** Connects to NATS, retrying while the server is still starting. */
export async function connectNats(options: ConnectOptions): Promise<NatsConnection> {
  const deadline = Date.now() + (options.connectTimeoutMs ?? 10_000);
  let lastError: unknown;
  if (options.log) reportNatsInternalsTo(options.log);
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
          ...(options.tls ? { tls: natsTlsOption(options.tls) } : {}),
        }),
      );
      checkWriteThreshold(connection);
      return connection;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new UnavailableError(`cannot connect to the bus at ${options.url}`, { cause: lastError });
}
