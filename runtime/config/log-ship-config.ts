import { z } from "zod";

const maxBufferedLines = z.number().int().min(1).max(1_000_000).default(10_000);

/** Loki's label names: a letter or underscore, then letters, digits and underscores. */
const labels = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a Loki label name"), z.string()).default({});

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}, "expected an http(s) URL like \"http://loki:3100\"");

/** Loki's push API (`POST <url>/loki/api/v1/push`, JSON), one stream per actor and level. */
export const lokiShipSchema = z.strictObject({
  type: z.literal("loki"),
  /** Loki's address, e.g. `http://loki:3100`; lines go to its `/loki/api/v1/push`. */
  url: httpUrl,
  /** Labels added to every stream besides `job="fuse"`, `actor` and `level`. */
  labels,
  /** Lines held while Loki cannot be reached; past this the oldest are dropped (and counted). */
  maxBufferedLines,
});

/** Fluentd's (or Fluent Bit's) forward protocol over TCP, each line a record tagged `<tag>.<actor>`. */
export const fluentdShipSchema = z.strictObject({
  type: z.literal("fluentd"),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(24224),
  /** The tag's prefix; each actor's lines carry `<tag>.<actor>`. */
  tag: z.string().regex(/^[A-Za-z0-9_.-]+$/, "expected a tag like \"fuse\"").default("fuse"),
  /** Lines held while the collector cannot be reached; past this the oldest are dropped (and counted). */
  maxBufferedLines,
});

/** One entry of `logging.ship`: an outside collector every process's lines are sent to. */
export const logShipSchema = z.discriminatedUnion("type", [lokiShipSchema, fluentdShipSchema]);

export type LogShipConfig = z.output<typeof logShipSchema>;
