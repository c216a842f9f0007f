/**
 * @module gateway
 * The HTTP gateway, an ordinary actor: Hono on @hono/node-server translating HTTP into bus
 * requests (`POST /api/<actor>/<endpoint>` and the endpoints' own routes), a route table
 * discovered from `$SRV.INFO`, the index, OpenAPI, docs, health, readiness and the dashboard.
 * Reaches the hub and other actors only over the bus.
 * May import: sdk, config, log, protocol, errors and security.
 */
export { createGatewayActor, gatewayOptionsFromConfig, type GatewayOptionsSource } from "./gateway-actor.ts";
export { startGateway, type RunningGateway } from "./start-gateway.ts";
export { DEFAULT_GATEWAY_OPTIONS, type GatewayOptions } from "./gateway-options.ts";
export { buildRouteTable, emptyRouteTable, matchRoute, type RouteTable, type RouteConflict, type EndpointEntry, type MountedRoute } from "./routes/route-table.ts";
export { compilePath, splitPath, type PathPattern } from "./routes/path-pattern.ts";
export { buildApiIndex, type ApiIndex } from "./docs/api-index.ts";
export { buildOpenApi } from "./docs/openapi.ts";
