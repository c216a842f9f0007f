/**
 * @module log
 * pino root logger per process, the readable line formatter for terminals, and rotating log
 * files, redaction of secrets and credentials, and shipping lines to outside collectors (Loki,
 * Fluentd). A leaf module: only pino, its helpers and the collectors' clients.
 * May import: nothing from Fuse.
 */
export { createLogger, LOG_LEVELS, type LogLevel, type Logger, type LoggerOptions } from "./create-logger.ts";
export { createLineFormatter, type LineFormatterOptions } from "./format-line.ts";
export { openRotatingLog, type RotatingLogOptions } from "./rotating-log.ts";
export { bundleLogs, type LogBundleOptions, type LogBundleResult } from "./bundle-logs.ts";
export { neverLog, redactSecrets, REDACTED_PATHS, REDACTION_CENSOR } from "./redact.ts";
export { LogShipper, type LogShipOptions } from "./ship/log-shipper.ts";
export type { ShipCounts } from "./ship/ship-target.ts";
