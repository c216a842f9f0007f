import type { IncomingRequest } from "../../bus/index.ts";
import { toFuseError, toWire } from "../../errors/index.ts";
import { keyedAdminRequestSchema, partitionOf, type InstanceKeys, type KeyView } from "../../protocol/index.ts";
import type { KeyValue } from "../stores/key-value.ts";
import type { Activations } from "./activations.ts";
import { leaseKey, type Lease } from "./keyed-records.ts";

export interface KeyedAdminOptions {
  kv: KeyValue;
  activations: Activations;
  instance: number;
  serviceId: string;
  /** Partitions this instance owns now. */
  partitions(): number[];
}

/**
 * Answers the keyed admin subject (every instance answers; the hub gathers): without a key,
 * this instance's keys in memory and its partitions; with one, that key as stored (or as held
 * here, the same thing once a turn is over: state is written before a turn ends) and its owner.
 */
export async function answerKeyedAdmin(options: KeyedAdminOptions, request: IncomingRequest): Promise<void> {
  let reply: InstanceKeys | KeyView;
  try {
    const { key } = keyedAdminRequestSchema.parse(JSON.parse(Buffer.from(request.data).toString("utf8") || "{}"));
    reply = key === undefined ? instanceKeys(options) : await keyView(options, key);
  } catch (error) {
    const wire = toWire(toFuseError(error));
    return request.respond(wire.body, wire.headers);
  }
  request.respond(JSON.stringify(reply));
}

function instanceKeys(options: KeyedAdminOptions): InstanceKeys {
  return { instance: options.instance, pid: process.pid, serviceId: options.serviceId, partitions: options.partitions(), keys: options.activations.list() };
}

async function keyView(options: KeyedAdminOptions, key: string): Promise<KeyView> {
  const partition = partitionOf(key);
  const [seen, lease] = await Promise.all([options.activations.inspect(key), options.kv.get<Lease>(leaseKey(partition))]);
  const owner = lease && lease.until > Date.now() ? { instance: lease.instance, serviceId: lease.owner } : null;
  return { key, partition, active: seen.active, owner, version: seen.version, state: seen.state, reminders: seen.reminders };
}
