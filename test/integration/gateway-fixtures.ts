import { request } from "node:http";
import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { createGatewayActor, type GatewayOptions } from "../../runtime/gateway/index.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { DeadlineExceededError, defineActor, defineEndpoint, startActor, z, type AnyActor, type RunningActor } from "../../runtime/sdk/internal.ts";

/** An actor that shows what of the HTTP request reached it, and sets cookies and headers. */
export const webActor = defineActor({
  name: "web",
  endpoints: {
    session: defineEndpoint({
      input: z.object({}),
      output: z.object({ seen: z.string().nullable(), lang: z.string().nullable(), secret: z.string().nullable(), method: z.string(), path: z.string() }),
      http: { method: "GET", path: "/session" },
      handler: (_input, ctx) => {
        const http = ctx.http!;
        http.setCookie("visit", "yes", { maxAge: 60 });
        http.setCookie("theme", "dark mode");
        http.setHeader("cache-control", "no-store");
        http.setHeader("x-not-allowed", "dropped");
        return {
          seen: http.cookies.visit ?? null,
          lang: http.header("Accept-Language") ?? null,
          secret: http.header("x-secret") ?? null,
          method: http.method,
          path: http.path,
        };
      },
    }),
    item: defineEndpoint({
      input: z.object({ id: z.string(), limit: z.number().int().optional(), full: z.boolean().optional(), tags: z.array(z.string()).optional(), note: z.string().optional() }),
      output: z.object({ id: z.string(), limit: z.number().optional(), full: z.boolean().optional(), tags: z.array(z.string()).optional(), note: z.string().optional() }),
      http: { method: "GET", path: "/items/:id" },
      handler: (input) => input,
    }),
    update: defineEndpoint({
      input: z.object({ id: z.string(), note: z.string() }),
      output: z.object({ id: z.string(), note: z.string() }),
      http: { method: "PUT", path: "/items/:id" },
      handler: (input) => input,
    }),
    slow: defineEndpoint({
      input: z.object({ ms: z.number().int().max(60_000) }),
      output: z.object({ waited: z.number() }),
      handler: ({ ms }, ctx) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => resolve({ waited: ms }), ms);
          ctx.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(new DeadlineExceededError("web.slow: deadline passed while waiting"));
          });
        }),
    }),
    echo: defineEndpoint({ input: z.unknown(), output: z.unknown(), handler: (input) => input }),
  },
});

/** Two actors that claim the same route (with different parameter names). */
export const claimA = defineActor({
  name: "claim-a",
  endpoints: { get: defineEndpoint({ input: z.object({ id: z.string() }), output: z.object({}), http: { method: "GET", path: "/shared/:id" }, handler: () => ({}) }) },
});
export const claimB = defineActor({
  name: "claim-b",
  endpoints: { get: defineEndpoint({ input: z.object({ key: z.string() }), output: z.object({}), http: { method: "GET", path: "/shared/:key" }, handler: () => ({}) }) },
});

/** An actor that arrives after the gateway. */
export const lateActor = defineActor({
  name: "late",
  endpoints: { ping: defineEndpoint({ input: z.object({}), output: z.object({ pong: z.boolean() }), http: { method: "GET", path: "/late" }, handler: () => ({ pong: true }) }) },
});

const silent = createLogger({ actor: "test", level: "silent" });

/** Starts an actor on its own NATS connection, as its own process would. */
export async function startOnNats(actor: AnyActor, natsUrl: string, prefix: string): Promise<{ actor: RunningActor; close(): Promise<void> }> {
  const transport = new NatsTransport(await connectNats({ url: natsUrl, name: actor.name }));
  const running = await startActor(actor, { transport, prefix, log: silent });
  return {
    actor: running,
    close: async () => {
      await running.stop();
      await transport.close();
    },
  };
}

/** Starts the gateway actor and returns it with its URL (from `gateway.info`). */
export async function startGatewayOnNats(natsUrl: string, prefix: string, options: Partial<GatewayOptions> = {}) {
  const gateway = await startOnNats(createGatewayActor({ port: 0, discoveryIntervalMs: 200, ...options }), natsUrl, prefix);
  const transport = new NatsTransport(await connectNats({ url: natsUrl, name: "info" }));
  const { callEndpoint } = await import("../../runtime/bus/index.ts");
  const info = (await callEndpoint(transport, { subject: `${prefix}.gateway.info`, actor: "gateway", endpoint: "info" }, {}, { headers: {}, timeoutMs: 5000 })) as {
    url: string;
  };
  await transport.close();
  return { gateway, url: info.url };
}

/** A raw HTTP request (no URL normalisation, unlike fetch), for paths with dot segments. */
export function rawRequest(url: string, method: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
