/**
 * @module bus
 * The NATS connection and the transport seam: connect with retry, serve actors as NATS micro
 * services, requests with one shared reply subscription, events. Knows nothing of actors'
 * business or the hub; the only module that imports nats.
 * May import: protocol, errors and log.
 */
export { connectNats, inboxPrefixOf, type ConnectOptions } from "./connect.ts";
export { natsAuthenticator } from "./nats-creds.ts";
export { createNativeKeyPair, nativeKeyPair } from "./native-key-pair.ts";
export { natsTlsEnv, natsTlsFromEnv, type NatsTlsFiles } from "./nats-tls.ts";
export { NatsTransport, type NatsTransportOptions } from "./nats-transport.ts";
export { PendingRequests } from "./pending-requests.ts";
export type {
  Body,
  BusStatus,
  EndpointPresence,
  EndpointSpec,
  EventMessage,
  GatherOptions,
  HeaderRecord,
  IncomingRequest,
  Reply,
  RequestOptions,
  ServedService,
  ServiceSpec,
  SubscribeOptions,
  Transport,
} from "./transport.ts";
export { callEndpoint, requestEndpoint, decodeReply, notDelivered, type CallEndpointOptions } from "./call-endpoint.ts";
export { matchesFilter, type ConditionalWrite, type StaleRevision, type KeyValueBucket, type KeyValueEntry, type KeyValueOptions, type ObjectBucket, type ObjectInfo } from "./stores.ts";
export { DEFAULT_EVENT_SETTINGS, afterFailure, eventSettings, parseEventSettings, type EventSettings } from "./events/event-settings.ts";
export { DEFAULT_EVENT_CONCURRENCY, type DeliveredEvent, type EventConsumer, type EventConsumerSpec, type EventStart, type OutgoingEvent } from "./events/event-types.ts";
export { deadLetter } from "./events/dead-letter.ts";
export { EventAdmin, type EventsOverview, type EventStreamSummary, type EventSubscriptionSummary, type TailedEvent } from "./events/event-admin.ts";
export type { EventFollow, EventFollowSpec, FollowedEvent } from "./events/event-follow.ts";
