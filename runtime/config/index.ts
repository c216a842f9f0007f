/**
 * @module config
 * fuse.yaml: the zod schema (defaults live there), loading with errors that name file, line
 * and key, and the actors a config resolves to.
 * May import: errors, protocol and log.
 */
export {
  configSchema,
  actorConfigSchema,
  processConfigSchema,
  scheduleConfigSchema,
  autoscaleConfigSchema,
  type FuseConfig,
  type ActorConfig,
  type ProcessConfig,
  type ScheduleConfig,
  type AutoscaleConfig,
} from "./config-schema.ts";
export { loadConfig, parseConfig, safeParseConfig, type SafeParseConfigResult } from "./load-config.ts";
export type { SecretSources } from "./secret-refs.ts";
export { resolveActors, discoverActors, type ActorPlan } from "./resolve-actors.ts";
export { eventConfigSchema, eventLimitsOf, type EventConfig } from "./event-config.ts";
export { setConfigValue } from "./edit-config.ts";
export { gatewayTlsConfigSchema, busTlsConfigSchema, type GatewayTlsConfig, type BusTlsConfig } from "./tls-config.ts";
export { corsConfigSchema, type CorsConfig } from "./cors-config.ts";
export { suggest } from "./locate.ts";
export { isLoopbackHost, gatewayExposureProblem, hasAuthentication, GatewayAuth } from "./gateway-exposure.ts";
export { gatewayAuthSchema, jwtConfigSchema, rateLimitConfigSchema, JWT_ALGORITHMS, type GatewayAuthConfig, type JwtConfig, type RateLimitConfig } from "./gateway-auth-config.ts";
export { webConfigSchema, webMountSchema, type WebConfig, type WebMountConfig } from "./web-config.ts";
export { kubernetesConfigSchema, kubernetesIngressSchema, type KubernetesConfig } from "./kubernetes-config.ts";
export { clusterConfigSchema, type ClusterConfig } from "./cluster-config.ts";
export { taskmasterConfigSchema, type TaskmasterConfig } from "./taskmaster-config.ts";
export { logShipSchema, type LogShipConfig } from "./log-ship-config.ts";
export { metricsConfigSchema, type MetricsConfig } from "./metrics-config.ts";
export { telemetryConfigSchema, type TelemetryConfig } from "./telemetry-config.ts";
