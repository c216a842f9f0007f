import { loadConfig } from "../../config/index.ts";
import type { EndpointLimit } from "../run/endpoint-limiter.ts";

/**
 * `taskmaster.limits` of the hub's config/fuse.yaml (validated there, with file, line and key,
 * when the hub loads it): `actor.endpoint` → `{ concurrency?, perSecond? }`.
 */
export function configuredLimits(hubDir: string): Record<string, EndpointLimit> {
  const config = loadConfig(hubDir) as { taskmaster?: { limits?: Record<string, EndpointLimit> } };
  return config.taskmaster?.limits ?? {};
}
