import type { Logger } from "../../log/index.ts";
import { toFuseError } from "../../errors/index.ts";
import { KEYED_PARTITIONS } from "../../protocol/index.ts";
import type { KeyValue } from "../stores/key-value.ts";
import { leaseKey, memberKey, MEMBER_FILTER, type Lease, type Membership } from "./keyed-records.ts";

export const DEFAULT_LEASE_MS = 3_000;

export interface PartitionLeasesOptions {
  /** The actor's keyed bucket. */
  kv: KeyValue;
  /** This instance's service id: the lease's owner. */
  owner: string;
  instance: number;
  /** How long a lease lasts unrenewed; renewed every third of it. */
  leaseMs?: number;
  log: Logger;
  /** The partition is this instance's now: start serving it. */
  gain(partition: number): void;
  /** The partition is no longer this instance's (or is being given up): stop serving it, finish its turns. */
  lose(partition: number): Promise<void>;
  /** Turns queued in a partition: the idlest is given up first when rebalancing. */
  busyIn(partition: number): number;
}

/**
 * Shares a keyed actor's partitions between its live instances through leases in JetStream
 * KV, each written with the revision it was read at, so of two instances reaching for one
 * partition exactly one gets it. Each instance announces itself (`member.<id>`, renewed like
 * a lease), takes free or expired partitions up to its share (partitions ÷ live instances,
 * rounded up) and gives up those above it, a few per round, so that scaling moves partitions
 * gradually. A partition is served only while its lease is valid by this instance's clock
 * with a margin; a lease that could not be renewed is given up at once. The partition's keys
 * are written revision-checked besides, so an owner that kept serving past its lease (a
 * frozen process) cannot overwrite what the next owner stored.
 */
export class PartitionLeases {
  /** Owned partitions: the lease's KV revision and until when it is valid (epoch ms). */
  private readonly owned = new Map<number, { revision: number; until: number }>();
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;
  /** Service ids of instances the hub saw die: their leases are free now, not when they expire. */
  private readonly lost = new Set<string>();

  constructor(private readonly options: PartitionLeasesOptions) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** Whether this instance may serve `partition` now (its lease is valid, with a margin for clock and latency). */
  owns(partition: number): boolean {
    const lease = this.owned.get(partition);
    return lease !== undefined && Date.now() < lease.until - this.leaseMs / 6;
  }

  partitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /**
   * The instance `serviceId` died (the hub's `$FUSE.instance.lost`): its partitions are taken
   * in the next round instead of after their lease runs out. Safe because the process is gone,
   * and each lease is still taken revision-checked, so one survivor gets each.
   */
  ownerLost(serviceId: string): void {
    if (serviceId === this.options.owner || this.stopped) return;
    this.lost.add(serviceId);
    // Its leases would have expired by then anyway: the set stays small.
    setTimeout(() => this.lost.delete(serviceId), this.leaseMs * 2).unref();
    void this.options.kv.delete(memberKey(serviceId)).catch(() => undefined);
    void this.tick();
  }

  /** Takes this instance's first share, then keeps renewing and rebalancing. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.leaseMs / 3);
    this.timer.unref();
  }

  /** One round; rounds never overlap. Failures are logged and the next round tries again. */
  tick(): Promise<void> {
    this.round ??= this.runRound()
      .catch((err: unknown) => this.options.log.warn({ err, code: toFuseError(err).code }, "keyed lease round failed"))
      .finally(() => (this.round = undefined));
    return this.round;
  }

  private async runRound(): Promise<void> {
    if (this.stopped) return;
    const { kv, owner, instance } = this.options;
    await kv.put(memberKey(owner), { instance, until: Date.now() + this.leaseMs } satisfies Membership);
    await this.renew();
    const share = Math.ceil(KEYED_PARTITIONS / (await this.liveMembers()));
    if (this.owned.size > share) await this.giveUp(Math.ceil((this.owned.size - share) / 2));
    else if (this.owned.size < share) await this.claim(share - this.owned.size);
  }

  private async renew(): Promise<void> {
    const { kv, owner, instance } = this.options;
    await Promise.all(
      [...this.owned].map(async ([partition, lease]) => {
        const until = Date.now() + this.leaseMs;
        try {
          const revision = await kv.update(leaseKey(partition), { owner, instance, until } satisfies Lease, { revision: lease.revision });
          if (this.owned.has(partition)) this.owned.set(partition, { revision, until });
        } catch (err) {
          this.options.log.warn({ err, code: toFuseError(err).code, partition }, "keyed partition lease lost");
          this.owned.delete(partition);
          await this.options.lose(partition);
        }
      }),
    );
  }

  private async liveMembers(): Promise<number> {
    const { kv } = this.options;
    const now = Date.now();
    const names = (await kv.keys(MEMBER_FILTER)).filter((k) => ![...this.lost].some((id) => k === memberKey(id)));
    const members = await Promise.all(names.map((k) => kv.get<Membership>(k).catch(() => undefined)));
    return Math.max(1, members.filter((m) => m && m.until > now).length);
  }

  /** Takes up to `wanted` partitions whose lease is absent or expired. */
  private async claim(wanted: number): Promise<void> {
    const { kv, owner, instance } = this.options;
    const candidates = [...Array(KEYED_PARTITIONS).keys()].filter((p) => !this.owned.has(p));
    const leases = await Promise.all(candidates.map(async (p) => ({ p, entry: await kv.getEntry<Lease>(leaseKey(p)) })));
    const now = Date.now();
    const free = leases.filter(({ entry }) => !entry || entry.value.until < now || this.lost.has(entry.value.owner));
    // Start at a different place per instance, so that instances starting together rarely race for the same ones.
    const offset = instance % Math.max(1, free.length);
    for (const { p, entry } of [...free.slice(offset), ...free.slice(0, offset)]) {
      if (wanted <= 0 || this.stopped) return;
      const until = Date.now() + this.leaseMs;
      const lease: Lease = { owner, instance, until };
      try {
        const revision = entry ? await kv.update(leaseKey(p), lease, { revision: entry.revision }) : await kv.create(leaseKey(p), lease);
        this.owned.set(p, { revision, until });
        wanted--;
        this.options.gain(p);
      } catch {
        // Another instance took it first: it is theirs.
      }
    }
  }

  /** Gives up `count` partitions, the idlest first: stop serving, finish their turns, then delete the lease. */
  private async giveUp(count: number): Promise<void> {
    const chosen = this.partitions()
      .sort((a, b) => this.options.busyIn(a) - this.options.busyIn(b))
      .slice(0, count);
    await Promise.all(chosen.map((p) => this.release(p)));
  }

  private async release(partition: number): Promise<void> {
    const lease = this.owned.get(partition);
    if (!lease) return;
    await this.options.lose(partition);
    this.owned.delete(partition);
    await this.options.kv.delete(leaseKey(partition), { revision: lease.revision }).catch(() => undefined);
  }

  /** Gives every partition back (after the turns in them finished) and leaves the members. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.round;
    await Promise.all(this.partitions().map((p) => this.release(p)));
    await this.options.kv.delete(memberKey(this.options.owner)).catch(() => undefined);
  }
}
