/**
 * Keys of the NATS micro-service metadata that Fuse publishes in `$SRV.INFO`, so any client
 * can read an endpoint's schemas and route. Values are strings (a micro-service rule).
 */
export const EndpointMeta = {
  /** JSON Schema of the endpoint's input, as JSON text. */
  inputSchema: "fuse.input",
  /** JSON Schema of the endpoint's output, as JSON text. */
  outputSchema: "fuse.output",
  /** Optional HTTP route as JSON text: `{"method":"GET","path":"/hello/:name"}`. */
  http: "fuse.http",
  /** One-line description of the endpoint. */
  description: "fuse.description",
  /**
   * The business errors the endpoint declares, as JSON text:
   * `{"OUT_OF_STOCK":{"status":409,"description":"…"}}`. Absent when it declares none.
   */
  errors: "fuse.errors",
  /**
   * Who may call the endpoint, as `formatAccess` writes it: `public`, `authenticated`,
   * `internal` or `roles:admin,ops`. Absent means `authenticated`.
   */
  access: "fuse.access",
  /**
   * Present when the endpoint stores its replies by idempotency key: how long, in ms, a reply
   * is kept (`defineEndpoint({ idempotent: { ttl } })`).
   */
  idempotent: "fuse.idempotent",
  /**
   * `"true"` on every endpoint of a keyed actor: a call must name a key (`Fuse-Key`, or
   * `POST /api/<actor>/<key>/<endpoint>`). Absent on other actors' endpoints.
   */
  keyed: "fuse.keyed",
  /** Present when the endpoint has a bulkhead: `{"concurrency":4,"queue":16}` as JSON text. */
  bulkhead: "fuse.bulkhead",
} as const;

export const ServiceMeta = {
  /** Which instance of the actor (0-based) a service is. */
  instance: "fuse.instance",
  /** The OS process id serving. */
  pid: "fuse.pid",
  /** On a cluster: the node the instance runs on. */
  node: "fuse.node",
} as const;
