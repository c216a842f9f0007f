/**
 * @module sdk
 * The public entry: the only thing actor authors import. defineActor/defineEndpoint, the
 * handler context (call, client, send, emit, db, kv, files, offload, log, trace id, deadline, signal),
 * the errors, `z`, and `createTestHub` for unit tests on the in-process bus. Everything the
 * runtime's own parts share (startActor, transports, discovery, the process loop, the database
 * classes) is in `internal.ts`, which actors never import.
 * May import: bus, protocol, errors, log, table, build, security, metrics and tracing.
 */
export {
  defineActor,
  defineEndpoint,
  type ActorDefinition,
  type AnyActor,
  type AnyEndpoint,
  type DeclaredError,
  type EndpointDefinition,
  type EventHandler,
  type EventSubscription,
  type HttpRoute,
} from "./define-actor.ts";
export { currentContext, type ActorContext, type Offload } from "./context.ts";
export type { KeyedContext, KeyedOptions, ReminderSchedule, ReminderFiring, ReminderHandler } from "./keyed/keyed-options.ts";
export type { KeyedEndpoint } from "./define-actor.ts";
export type { KeyValue, KvEntry, ChangeOptions } from "./stores/key-value.ts";
export type { Files, FileData } from "./stores/files.ts";
export type { ObjectInfo as FileInfo, BusStatus } from "../bus/index.ts";
export { defineWork, type Work } from "./offload/offload.ts";
export type { CallOptions, CallResult } from "./caller.ts";
export type { ActorClient, EndpointCall } from "./actor-client.ts";
export type { HttpInfo, CookieOptions } from "./http-exchange.ts";
export { rawOutput, respond, redirect, type RawOutput, type RawOutputOptions, type RawBody, type RespondInit } from "./raw-output.ts";
export { createTestHub, type TestHub, type TestHubOptions, type TestCallOptions } from "./in-process/test-hub.ts";
export type { Access, Principal, PrincipalVia } from "../protocol/index.ts";
export {
  FuseError,
  AppError,
  type AppErrorOptions,
  ValidationError,
  NotFoundError,
  UnavailableError,
  DeadlineExceededError,
  CancelledError,
  HandlerError,
  ConfigError,
  OutcomeUnknownError,
  PayloadTooLargeError,
} from "../errors/index.ts";
export { ErrorCode } from "../protocol/index.ts";
export type { DeadLetter } from "../protocol/index.ts";
export type { EventStart } from "../bus/index.ts";
export { z } from "zod";
export { tableSchemaSchema, type DatabaseScope, type FindOptions, type InsertOptions, type UpdateOptions, type Where, type OrderBy, type TableSchema } from "../table/index.ts";
