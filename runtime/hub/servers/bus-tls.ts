import path from "node:path";
import type { NatsTlsFiles } from "../../bus/index.ts";
import type { FuseConfig } from "../../config/index.ts";

/**
 * The TLS files of `bus.tls` as absolute paths (they are relative to the hub folder in the
 * config): the hub connects with them, hands them to every process it starts by environment,
 * and writes them to the state file for the CLI. Undefined without `bus.tls`.
 */
export function busTlsFiles(config: FuseConfig, dir: string): NatsTlsFiles | undefined {
  const tls = config.bus.tls;
  if (!tls) return undefined;
  const resolve = (file: string) => path.resolve(dir, file);
  return { ca: resolve(tls.ca), ...(tls.cert ? { cert: resolve(tls.cert) } : {}), ...(tls.key ? { key: resolve(tls.key) } : {}) };
}
