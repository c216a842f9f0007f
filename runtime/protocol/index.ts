/**
 * @module protocol
 * The wire contract of Fuse, pure: subject builders, header names, error codes with their
 * statuses, and the error envelope. Imports nothing from Fuse and does no I/O.
 */
export {
  DEFAULT_PREFIX,
  SERVICE_API_PREFIX,
  CONTROL_PREFIX,
  isValidName,
  endpointSubject,
  eventSubject,
  queueGroup,
  servicePingSubject,
  serviceInfoSubject,
  serviceStatsSubject,
  parseTarget,
  type Target,
} from "./subjects.ts";
export { Header, HTTP_HEADER_PREFIX, httpHeader, type HeaderName } from "./headers.ts";
export { ErrorCode, codeOfStatus, isErrorCode, statusOf } from "./error-codes.ts";
export { FUSE_VERSION } from "./version.ts";
export {
  encodeErrorEnvelope,
  decodeErrorEnvelope,
  type ErrorEnvelope,
  type ErrorBody,
} from "./envelope.ts";
export { EndpointMeta, ServiceMeta } from "./metadata.ts";
export { ProcessEnv, STATUS_FD, type StatusLine } from "./process-env.ts";
export {
  HubEndpoint,
  HUB_ACTOR,
  STATE_FILE,
  type ActorStatus,
  type ActorState,
  type InstanceStatus,
  type InstanceState,
  type HubInfo,
  type HubState,
  type ScheduleStatus,
} from "./hub-control.ts";
export {
  TaskmasterEndpoint,
  TASKMASTER_ACTOR,
  RUN_STATUSES,
  STEP_STATUSES,
  type RunStatus,
  type StepStatus,
  type RunError,
  type StepRecord,
  type RunRecord,
  type RunDetail,
} from "./taskmaster-control.ts";
