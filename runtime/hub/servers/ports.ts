import net from "node:net";

/** A port free on 127.0.0.1 now (for servers that cannot pick one themselves and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `count` ports free on 127.0.0.1 now, all different: a port closed by freePort may be handed
 * out again by the next call (two nodes given one route port would each take the other for itself).
 */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** How many times a server is started on a picked port: each try on another, when the last one was taken first. */
const PICKED_PORT_ATTEMPTS = 3;

/**
 * Starts a server that cannot pick its own port and report it (sqld; nats-server's monitoring
 * port) on a port from `pickPort`. A picked port is free only when picked: another program may
 * bind it before the server does, which `taken(error)` recognises in the failed start. That
 * start is tried again on another picked port, up to PICKED_PORT_ATTEMPTS times.
 */
export async function startOnPickedPort<T>(start: (port: number) => Promise<T>, taken: (error: unknown) => boolean, pickPort: () => Promise<number> = freePort): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await pickPort());
    } catch (error) {
      if (!taken(error) || attempt >= PICKED_PORT_ATTEMPTS) throw error;
    }
  }
}
