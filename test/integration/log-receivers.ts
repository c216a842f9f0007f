// Protocol-faithful collectors for the log-shipping test, on 127.0.0.1: Loki's push API
// (HTTP, JSON body as Loki documents it) and Fluentd's forward protocol (TCP, msgpack, with
// acks), decoded with a real msgpack decoder.
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { decodeMulti, decodeMultiStream, encode, ExtensionCodec } from "@msgpack/msgpack";

/** One line as a collector received it: where it was filed and the record. */
export interface ReceivedLine {
  /** Loki: the stream's labels. Fluentd: `{ tag }`. */
  labels: Record<string, string>;
  record: Record<string, unknown>;
  /** When it was logged, in ms. */
  timeMs: number;
}

export interface Receiver {
  port: number;
  lines: ReceivedLine[];
  /** Requests or packets that did not decode: each would be a shipping bug. */
  problems: string[];
  close(): Promise<void>;
}

/** Loki's `POST /loki/api/v1/push` with `Content-Type: application/json`: `{ streams: [{ stream, values: [[ns, line]] }] }`. */
export function startLokiReceiver(port = 0): Promise<Receiver> {
  const lines: ReceivedLine[] = [];
  const problems: string[] = [];
  const server: HttpServer = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/loki/api/v1/push" || !req.headers["content-type"]?.startsWith("application/json")) {
        problems.push(`${req.method} ${req.url} ${req.headers["content-type"]}`);
        res.writeHead(404).end();
        return;
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { streams: { stream: Record<string, string>; values: [string, string][] }[] };
        for (const s of body.streams) {
          for (const [ns, line] of s.values) {
            if (!/^\d{19}$/.test(ns)) problems.push(`timestamp ${ns} is not nanoseconds`);
            lines.push({ labels: s.stream, record: JSON.parse(line) as Record<string, unknown>, timeMs: Number(BigInt(ns) / 1_000_000n) });
          }
        }
        res.writeHead(204).end();
      } catch (err) {
        problems.push(String(err));
        res.writeHead(400).end();
      }
    });
  });
  return listen(server, port, lines, problems);
}

/** Fluentd's EventTime: msgpack ext type 0, seconds and nanoseconds as two big-endian uint32. */
const codec = new ExtensionCodec();
codec.register({
  type: 0,
  encode: () => null,
  decode: (data: Uint8Array) => {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return view.getUint32(0) * 1000 + Math.floor(view.getUint32(4) / 1e6);
  },
});

/**
 * Fluentd's forward protocol v1: Message `[tag, time, record, option?]`, Forward `[tag, [[time, record]…], option?]`
 * and PackedForward `[tag, bin, option?]` (a msgpack stream of `[time, record]`); an `option.chunk`
 * is acknowledged with `{ ack: chunk }`, as Fluentd does.
 */
export function startFluentdReceiver(port = 0): Promise<Receiver> {
  const lines: ReceivedLine[] = [];
  const problems: string[] = [];
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    void (async () => {
      try {
        for await (const message of decodeMultiStream(socket, { extensionCodec: codec })) {
          const [tag, second, third, fourth] = message as [string, unknown, unknown, unknown];
          let option: { chunk?: string; compressed?: string } | undefined;
          const add = (time: unknown, record: unknown) => lines.push({ labels: { tag }, record: record as Record<string, unknown>, timeMs: Number(time) });
          if (second instanceof Uint8Array) {
            option = third as typeof option;
            if (option?.compressed) throw new Error(`compressed ${option.compressed} entries are not expected`);
            for (const entry of decodeMulti(second, { extensionCodec: codec })) add(...(entry as [unknown, unknown]));
          } else if (Array.isArray(second)) {
            option = third as typeof option;
            for (const entry of second as [unknown, unknown][]) add(...entry);
          } else {
            option = fourth as typeof option;
            add(second, third);
          }
          if (option?.chunk) socket.write(encode({ ack: option.chunk }));
        }
      } catch (err) {
        problems.push(String(err));
        socket.destroy();
      }
    })();
  });
  const closeSockets = () => {
    for (const s of sockets) s.destroy();
  };
  return listen(server, port, lines, problems, closeSockets);
}

function listen(server: HttpServer | TcpServer, port: number, lines: ReceivedLine[], problems: string[], beforeClose?: () => void): Promise<Receiver> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") return reject(new Error("no TCP address"));
      resolve({
        port: address.port,
        lines,
        problems,
        close: () =>
          new Promise<void>((done) => {
            beforeClose?.();
            if ("closeAllConnections" in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
