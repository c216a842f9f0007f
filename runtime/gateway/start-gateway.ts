import { GatewayAuth, gatewayExposureProblem } from "../config/index.ts";
import { ConfigError } from "../errors/index.ts";
import { followEvents, gatherMetricSnapshots, onInstanceLost, type ActorContext } from "../sdk/internal.ts";
import { PageCache } from "./docs/page-cache.ts";
import { DEFAULT_GATEWAY_OPTIONS, type GatewayOptions } from "./gateway-options.ts";
import { createGatewayApp } from "./http/create-app.ts";
import { EndpointHandlers } from "./http/endpoint-handlers.ts";
import { LossWatch } from "./http/loss-watch.ts";
import { refusalLogger } from "./http/request-guard.ts";
import { startHttpServer } from "./http/start-server.ts";
import { createCors } from "./http/cors.ts";
import { loadServerTls } from "./tls/server-tls.ts";
import { createAuthenticator } from "./auth/authenticator.ts";
import { SessionStore, createSessionSource } from "./auth/session.ts";
import { RouteDiscovery } from "./routes/route-discovery.ts";
import { signerFromEnv, type AccessGate } from "./http/access-gate.ts";
import type { RouteTable } from "./routes/route-table.ts";
import { LiveFeeds, type Follow } from "./live/live-feeds.ts";
import { WebFrontends } from "./web/web-mounts.ts";
import { startTrafficSampler } from "./traffic/traffic-sampler.ts";

export interface RunningGateway {
  /** Where the gateway listens, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The route table as last discovered. */
  table(): RouteTable;
  stop(): Promise<void>;
}

/**
 * Composes the gateway: route discovery on the bus (through `ctx.discover`), the request
 * path (through `ctx.relay`), the pages, and the HTTP server. `ctx` is the gateway actor's
 * own (lifecycle) context; each request relays under the HTTP request's trace and deadline.
 */
export async function startGateway(ctx: ActorContext, options: Partial<GatewayOptions> = {}): Promise<RunningGateway> {
  const settings: GatewayOptions = { ...DEFAULT_GATEWAY_OPTIONS, ...options };
  // The config refuses this already; a gateway started another way must not slip past it.
  const exposure = gatewayExposureProblem(settings.host, settings.auth);
  if (exposure) throw new ConfigError(`gateway.host ${JSON.stringify(settings.host)}: ${exposure}`, { location: { key: "gateway.host" } });
  const log = ctx.log.child({ mod: "gateway" });
  const web = new WebFrontends(settings.web ?? []);
  const discovery = new RouteDiscovery({
    claimOf: (shape) => web.claimOf(shape),
    discover: (actor) => ctx.discover(actor ? { actor } : {}),
    log,
    intervalMs: settings.discoveryIntervalMs,
    missIntervalMs: settings.missIntervalMs,
  });
  // Every request is authenticated (the chain made below) before it is routed; the principal's signed token goes with it.
  const access: AccessGate = { authenticate: (req) => authenticator.authenticate(req), signer: signerFromEnv(log) };
  const bodies = { open: (bucket: string, name: string) => ctx.files.in(bucket).get(name).then((f) => f && { stream: f.stream, size: f.info.size }), delete: (bucket: string, name: string) => ctx.files.in(bucket).delete(name) };
  // A request safe to repeat whose actor lost an instance is sent again (retries at the edge).
  const losses = new LossWatch();
  const unfollowLosses = onInstanceLost(ctx, ({ actor }) => losses.lost(actor));
  const handlers = new EndpointHandlers({ relay: (target, body, o) => ctx.relay(target, body, o), caller: ctx.actor, discovery, options: settings, log, access, bodies, losses });
  let url = "";
  const pages = new PageCache(discovery, () => url);
  const hubDir = settings.hubDir ?? process.cwd();
  const tls = await loadServerTls(settings.tls, hubDir, settings.host);
  // The dashboard's session cookie is one more credential of the chain, after API keys and JWTs.
  const authenticator = createAuthenticator({ hubDir, auth: settings.auth, rateLimit: settings.rateLimit, log });
  const sessions = new SessionStore();
  authenticator.use(createSessionSource(sessions));
  const session = { sessions, authenticate: authenticator.authenticate, required: authenticator.required, secure: Boolean(tls), hubDir, log };
  const follow: Follow = (topic, afterSeq, onEvent) => followEvents(ctx, { topic, afterSeq, onEvent });
  const feeds = new LiveFeeds(follow, settings.eventKeepAliveMs);
  const events = { feeds, follow, bufferBytes: settings.eventBufferBytes, retryMs: 2000 };
  // The dashboard's charts: every process's figures sampled over the bus (none with metrics off).
  const sampler = settings.historyIntervalMs > 0 ? startTrafficSampler({ intervalMs: settings.historyIntervalMs, gather: gatherMetricSnapshots, log }) : undefined;
  const app = createGatewayApp({ handlers, discovery, pages, log, bus: () => ctx.busStatus(), files: { files: ctx.files, maxFileBytes: settings.maxFileBytes }, session, web, events, history: sampler?.history });
  const server = await startHttpServer(app, settings.host, settings.port, { onRefused: refusalLogger(log), tls, cors: createCors(settings.cors), navigable: (path) => web.navigable(path) });
  url = server.url;
  if (settings.auth === GatewayAuth.none) log.warn({ url, host: settings.host }, "gateway serves every endpoint without authentication (gateway.auth: none)");
  // The first round runs in the background: a request before it ends waits for it (a miss).
  discovery.start();
  log.info({ url, ...(web.size ? { web: settings.web!.map((m) => `${m.path} ${m.dir}${m.spa ? " (spa)" : ""}`) } : {}) }, "gateway listening");
  return {
    url,
    table: () => discovery.table,
    stop: async () => {
      discovery.stop();
      await sampler?.stop();
      unfollowLosses();
      await feeds.close();
      await server.stop();
      authenticator.close();
      log.info({ url }, "gateway stopped");
    },
  };
}
