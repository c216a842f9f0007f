/**
 * The seam between the SDK and a message bus. Two back-ends implement it: NATS (production,
 * in this module) and in-process (the SDK's unit-test mode). Bodies are bytes or text so both
 * back-ends run the same encode/validate/decode path.
 */
export type Body = Uint8Array | string;
export type HeaderRecord = Record<string, string>;

export interface IncomingRequest {
  readonly subject: string;
  readonly data: Uint8Array;
  header(name: string): string | undefined;
  respond(body: Body, headers?: HeaderRecord): void;
}

export interface EndpointSpec {
  name: string;
  subject: string;
  metadata: Record<string, string>;
  handle(request: IncomingRequest): void;
}

export interface ServiceSpec {
  /** The actor name; also the queue group shared by its instances. */
  name: string;
  version: string;
  description?: string;
  metadata: Record<string, string>;
  endpoints: EndpointSpec[];
  /** Extra data for an endpoint's `$SRV.STATS` entry (requests, errors, latency). */
  statsOf?(endpoint: string): unknown;
}

export interface ServedService {
  readonly id: string;
  /** Stops taking new requests; requests already delivered are still handled. */
  stop(): Promise<void>;
}

export interface RequestOptions {
  headers?: HeaderRecord;
  timeoutMs: number;
}

export interface Reply {
  readonly data: Uint8Array;
  header(name: string): string | undefined;
}

export interface EventMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  header(name: string): string | undefined;
}

export interface SubscribeOptions {
  /** Deliver each message to one member of this group instead of to every subscriber. */
  queue?: string;
}

export interface Transport {
  serve(spec: ServiceSpec): Promise<ServedService>;
  /**
   * Sends a request and resolves with the reply (error replies included). Rejects with
   * UnavailableError (NO_LIVE_INSTANCE) when nothing listens on the subject and with
   * DeadlineExceededError when no reply comes in time.
   */
  request(subject: string, body: Body, options: RequestOptions): Promise<Reply>;
  publish(subject: string, body: Body, headers?: HeaderRecord): void;
  subscribe(
    subject: string,
    handler: (message: EventMessage) => void,
    options?: SubscribeOptions,
  ): () => void;
  /** Whether any instance of the actor answers a `$SRV.PING`. */
  probe(actor: string): Promise<boolean>;
  flush(): Promise<void>;
  /** Drains subscriptions and closes. */
  close(): Promise<void>;
}
