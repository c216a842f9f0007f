/**
 * @module protocol
 * The wire contract of Fuse, pure: subject builders, header names, trace ids, error codes
 * with their statuses, the error envelope, and the built-in actors' contracts (zod schemas of
 * their endpoints, declared once for the actors, the CLI and the dashboard). No I/O; of
 * packages only zod.
 * May import: nothing from Fuse.
 */
export {
  DEFAULT_PREFIX,
  SERVICE_API_PREFIX,
  CONTROL_PREFIX,
  INSTANCE_LOST_SUBJECT,
  isValidName,
  kebabName,
  NAME,
  NAME_RULE,
  NAME_PATTERN,
  endpointSubject,
  eventSubject,
  queueGroup,
  servicePingSubject,
  serviceInfoSubject,
  serviceStatsSubject,
  serviceMetricsSubject,
  serviceTracesSubject,
  parseTarget,
  type Target,
} from "./subjects.ts";
export { formatTraceParent, isW3cTraceId, newTraceId, parseTraceParent, TRACE_ID_PATTERN, type TraceParent } from "./trace-id.ts";
export {
  eventStreamName,
  deadEventStreamName,
  allEventsSubject,
  allDeadEventsSubject,
  deadEventSubject,
  eventConsumerName,
  maxDeliveriesAdvisorySubject,
  EVENT_ID_HEADER,
  type DeadLetter,
} from "./events.ts";
export {
  ADMIN_ROLE,
  DEFAULT_ACCESS,
  LOCAL_ADMIN,
  allows,
  formatAccess,
  parseAccess,
  type Access,
  type Principal,
  type PrincipalVia,
} from "./access.ts";
export {
  ADMIN_IDENTITY,
  ANSWER_WITHIN,
  HUB_IDENTITY,
  INBOX_ROOT,
  busPermissions,
  busRoleOf,
  inboxPrefix,
  type BusIdentity,
  type BusPermissions,
  type BusRole,
  type PermissionOptions,
  type SubjectPermission,
} from "./bus-permissions.ts";
export { BUCKET_NAME, bucketsOf, hubFilesBucket, kvStreamName, objectStreamName, ownBuckets, ownerOfBucket, type BusUses } from "./buckets.ts";
export { Header, HTTP_HEADER_PREFIX, httpHeader, type HeaderName } from "./headers.ts";
export { DASHBOARD_PATH, PUBLIC_DIR, GATEWAY_OWN_PREFIXES, isGatewayOwnPath, BodyHeader, replyBodiesBucket, RAW_BODY_SCHEMA_KEY, type RawBodyDeclaration } from "./web.ts";
export { TLS_DIR, GATEWAY_CERT_FILE, GATEWAY_KEY_FILE, LOGIN_LINKS_DIR, SESSION_COOKIE, SessionRoute, type LoginLinkRecord } from "./web-security.ts";
export {
  SPAN_OK,
  TRACES_PATH,
  httpSpanCode,
  isHttpSpanCode,
  recentSpanSchema,
  recentTracesQuerySchema,
  tracePartSchema,
  traceStoreQuerySchema,
  traceStoreReplySchema,
  type RecentSpan,
  type RecentTracesQuery,
  type RecentTracesReply,
  type TracePart,
  type TraceStoreFill,
  type TraceStoreQuery,
  type TraceStoreReply,
  type TraceSummary,
  type TraceWaterfallReply,
  type WaterfallSpan,
} from "./recent-traces.ts";
export { ErrorCode, codeOfStatus, isErrorCode, statusOf } from "./error-codes.ts";
export { FUSE_VERSION } from "./version.ts";
export {
  encodeErrorEnvelope,
  decodeErrorEnvelope,
  parseJsonObject,
  type ErrorEnvelope,
  type ErrorBody,
} from "./envelope.ts";
export { EndpointMeta, ServiceMeta } from "./metadata.ts";
export { idempotentRepliesBucket, HTTP_IDEMPOTENCY_KEY, MAX_IDEMPOTENCY_KEY_LENGTH } from "./resilience.ts";
export { KEYED_PARTITIONS, MAX_ACTOR_KEY_LENGTH, actorKeyProblem, endpointPartitionSubject, isPartitionSubject, keyedAdminSubject, keyedBucket, keyedSubjectOf, partitionOf, partitionSubject } from "./keyed.ts";
export * from "./contracts/keyed-admin.ts";
export { DESCRIBE_MARK, ProcessEnv, STATUS_FD, type ReceivedStatusLine, type StatusLine } from "./process-env.ts";
export { defineContract, type ActorContract, type EndpointContract, type EndpointContracts, type ContractInput, type ContractOutput } from "./contracts/define-contract.ts";
export { BuiltinActor, type BuiltinActorName } from "./contracts/builtin-actors.ts";
export {
  hubContract,
  actorStatusSchema,
  instanceStatusSchema,
  scheduleStatusSchema,
  hubInfoSchema,
  INSTANCE_STATES,
  ACTOR_STATES,
  STATE_FILE,
  type ActorStatus,
  type ActorState,
  type InstanceStatus,
  type InstanceState,
  type HubInfo,
  type HubState,
  type ProcessIdentity,
  type ScheduleStatus,
} from "./contracts/hub.ts";
export {
  taskmasterContract,
  TASKS_DIR,
  runRecordSchema,
  runDetailSchema,
  stepRecordSchema,
  taskSummarySchema,
  RUN_STATUSES,
  STEP_STATUSES,
  TaskErrorCode,
  WAIT_KINDS,
  stepWaitSchema,
  type WaitKind,
  type StepWait,
  type RunStatus,
  type StepStatus,
  type RunError,
  type StepRecord,
  type RunRecord,
  type RunDetail,
  type TaskSummary,
} from "./contracts/taskmaster.ts";
export { dbContract, COLUMN_TYPES, INTERNAL_TABLE } from "./contracts/db.ts";
export { gatewayContract } from "./contracts/gateway.ts";
export { clusterBuckets, CLUSTER_BUCKET_TTL_MS, ClusterLease, hubNodeSubject, NODE_STATUSES, nodeHeartbeatSubject, nodeRecordSchema, nodeStatusOf, placementSubject, type NodeRecord, type NodeStatus } from "./cluster.ts";
export {
  PLACEMENT_KEY,
  desiredCountKey,
  placeableSchema,
  placementConstraintSchema,
  placementSchema,
  type Placeable,
  type Placement,
  type PlacementConstraint,
} from "./placement.ts";
