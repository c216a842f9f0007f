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
