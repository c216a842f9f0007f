/**
 * @module sdk
 * The only module actors import: defineActor/defineEndpoint, the handler context (call, send,
 * emit, log, trace id, deadline, signal), the errors, and two ways to run actors: on NATS
 * (`startActor` with a NatsTransport, as the hub does) and in-process (`createTestHub`).
 * Imports bus, protocol, errors and log.
 */
export {
  defineActor,
  defineEndpoint,
  isActorDefinition,
  type ActorDefinition,
  type AnyActor,
  type AnyEndpoint,
  type EndpointDefinition,
  type EventHandler,
  type HttpRoute,
} from "./define-actor.ts";
export { currentContext, type ActorContext } from "./context.ts";
export { KeyValue } from "./stores/key-value.ts";
export { defineWork, type Work } from "./offload/offload.ts";
export type { Offload } from "./context.ts";
export { Files, type FileData } from "./stores/files.ts";
export type { ObjectInfo as FileInfo } from "../bus/index.ts";
export type { CallOptions, CallResult, RelayOptions, RelayReply } from "./caller.ts";
export type { HttpInfo, CookieOptions } from "./http-exchange.ts";
export type { DiscoverOptions, DiscoveredService, DiscoveredEndpoint, JsonSchema } from "./discover.ts";
export { startActor, type RunningActor, type StartActorOptions } from "./start-actor.ts";
export { createTestHub, type TestHub, type TestHubOptions } from "./in-process/test-hub.ts";
export { InProcessTransport } from "./in-process/in-process-transport.ts";
export { newTraceId } from "./trace-id.ts";
export {
  FuseError,
  ValidationError,
  NotFoundError,
  UnavailableError,
  DeadlineExceededError,
  CancelledError,
  HandlerError,
  ConfigError,
} from "../errors/index.ts";
export { ErrorCode } from "../protocol/index.ts";
export { z } from "zod";
export { runActorProcess, type ModuleLoader } from "./process/actor-main.ts";
export { Database, Table, tableSchemaSchema, type DatabaseScope, type FindOptions, type Where, type OrderBy, type TableSchema } from "../table/index.ts";
