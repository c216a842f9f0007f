import { ProcessEnv } from "../protocol/index.ts";

/** TLS files (absolute paths, PEM) for a connection to a NATS server that requires TLS (`bus.tls`). */
export interface NatsTlsFiles {
  /** The CA the server's certificate must chain to. */
  ca: string;
  /** A client certificate, for a server that verifies its clients. */
  cert?: string;
  key?: string;
}

/** The environment that hands `files` to a process the hub starts: paths only, never the keys themselves. */
export function natsTlsEnv(files: NatsTlsFiles | undefined): Record<string, string> {
  if (!files) return {};
  return {
    [ProcessEnv.natsTlsCa]: files.ca,
    ...(files.cert ? { [ProcessEnv.natsTlsCert]: files.cert } : {}),
    ...(files.key ? { [ProcessEnv.natsTlsKey]: files.key } : {}),
  };
}

/** The TLS files a process was given by the hub, or undefined when the bus is reached without TLS. */
export function natsTlsFromEnv(env: NodeJS.ProcessEnv): NatsTlsFiles | undefined {
  const ca = env[ProcessEnv.natsTlsCa];
  if (!ca) return undefined;
  const cert = env[ProcessEnv.natsTlsCert];
  const key = env[ProcessEnv.natsTlsKey];
  return { ca, ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/** nats.js's `tls` option for `files`: it reads them itself, once per connection. */
export function natsTlsOption(files: NatsTlsFiles): { caFile: string; certFile?: string; keyFile?: string } {
  return { caFile: files.ca, ...(files.cert ? { certFile: files.cert } : {}), ...(files.key ? { keyFile: files.key } : {}) };
}
