import type { Reply, Transport } from "../../bus/index.ts";
import { NotFoundError, fromWire } from "../../errors/index.ts";
import { ErrorCode, Header, instanceKeysSchema, keyViewSchema, keyedAdminSubject, type ActorKeys, type KeyView } from "../../protocol/index.ts";

/** How long the hub waits for every keyed instance's answer (each answers from memory or one KV read). */
const GATHER_MS = 500;
const STALL_MS = 150;

const text = (reply: Reply) => Buffer.from(reply.data).toString("utf8");

/**
 * The hub's side of `hub.keys` and `hub.key`: asks every instance of a keyed actor on its
 * admin subject and puts the answers together.
 */
export class KeyedKeys {
  constructor(
    private readonly transport: Transport,
    private readonly prefix: string,
  ) {}

  /** Every instance's keys in memory and partitions. @throws NOT_FOUND when no keyed instance answers. */
  async list(actor: string): Promise<ActorKeys> {
    const instances = (await this.ask(actor, {})).map((r) => instanceKeysSchema.parse(JSON.parse(text(r)))).sort((a, b) => a.instance - b.instance);
    return { actor, active: instances.reduce((n, i) => n + i.keys.length, 0), instances };
  }

  /** One key as stored, with whether an instance holds it in memory. @throws NOT_FOUND when the key has no state. */
  async inspect(actor: string, key: string): Promise<KeyView> {
    const replies = await this.ask(actor, { key });
    const views: KeyView[] = [];
    let failure: Error | undefined;
    for (const reply of replies) {
      const status = reply.header(Header.serviceErrorCode);
      if (status) failure ??= fromWire(text(reply), Number(status), reply.header(Header.serviceError));
      else views.push(keyViewSchema.parse(JSON.parse(text(reply))));
    }
    // A key loaded but never changed is in memory on its owner and stored nowhere.
    if (!views.length) throw failure!;
    // Every instance read the same stored record; the one holding the key in memory says so.
    const view = views.find((v) => v.active) ?? views[0]!;
    return { ...view, active: views.some((v) => v.active) };
  }

  private async ask(actor: string, body: object): Promise<Reply[]> {
    const replies = await this.transport.gather(keyedAdminSubject(this.prefix, actor), JSON.stringify(body), { timeoutMs: GATHER_MS, stallMs: STALL_MS });
    if (!replies.length) throw new NotFoundError(ErrorCode.NOT_FOUND, `actor "${actor}" has no keyed instance answering: it is not a keyed actor, or none of its instances runs`);
    return replies;
  }
}
