// How a raw nats.js baseline connects. RAW_NATS_AS_FUSE=1: through Fuse's own connectNats
// (runtime/bus), so with exactly the options Fuse opens every connection with today
// (`noAsyncTraces: true`, nats.js writing out after 8 KiB instead of 32 KiB, and the retry
// options, which cost nothing once connected); otherwise with nats.js's defaults, as most
// users write it. The messages are then sent with plain nats.js either way: a ratio against
// the first says what Fuse adds beyond configuring nats.js well. NATS_CREDS (a credential file) and
// NATS_INBOX_PREFIX: the identity it connects as, on a server that requires one.
import { connect, type NatsConnection } from "nats";
import { connectNats, natsAuthenticator } from "../../runtime/bus/index.ts";

export const RAW_NATS_AS_FUSE = "RAW_NATS_AS_FUSE";

export function connectRawNats(name: string): Promise<NatsConnection> {
  const url = process.env.NATS_URL!;
  const credsFile = process.env.NATS_CREDS;
  const inboxPrefix = process.env.NATS_INBOX_PREFIX;
  if (process.env[RAW_NATS_AS_FUSE] === "1") return connectNats({ url, name, credsFile, inboxPrefix });
  return connect({ servers: url, name, ...(credsFile ? { authenticator: natsAuthenticator(credsFile) } : {}), ...(inboxPrefix ? { inboxPrefix } : {}) });
}
