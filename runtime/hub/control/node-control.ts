import { callEndpoint, type Transport } from "../../bus/index.ts";
import { NotFoundError } from "../../errors/index.ts";
import { BuiltinActor, ErrorCode, Header, hubContract, hubNodeSubject, newTraceId, type ActorStatus, type NodeRecord } from "../../protocol/index.ts";

/** How long the hub waits for another node's hub (a rolling restart there takes its time). */
const ASK_TIMEOUT_MS = 120_000;
/** How long `hub.list` waits for each other node's own list before it takes that node's record. */
const LIST_TIMEOUT_MS = 2000;

export interface NodeControlOptions {
  transport: Transport;
  prefix: string;
  /** This node's name. */
  node: string;
  /** The live nodes' latest records, this node's own included. */
  liveNodes(): Promise<NodeRecord[]>;
}

/**
 * The `hub` actor's side of a cluster: passes a control request on to the node it names (each
 * node's hub answers on its own subject, outside the hub's queue group), and puts together
 * every live node's actors for `hub.list`.
 */
export class NodeControl {
  constructor(private readonly options: NodeControlOptions) {}

  get node(): string {
    return this.options.node;
  }

  /**
   * Calls `endpoint` of the hub on `node` alone with `input`.
   * @throws NOT_FOUND naming the live nodes when `node` is none of them.
   */
  async ask(node: string, endpoint: string, input: object, timeoutMs = ASK_TIMEOUT_MS): Promise<unknown> {
    const names = (await this.options.liveNodes()).map((n) => n.name);
    if (!names.includes(node)) throw unknownNode(node, names);
    return this.call(node, endpoint, input, timeoutMs);
  }

  /** Every live node's actors, each row naming its node: this node's from `local`, the others' from their hubs (their records when they do not answer in time). */
  async list(local: ActorStatus[]): Promise<ActorStatus[]> {
    const others = (await this.options.liveNodes()).filter((n) => n.name !== this.options.node).sort((a, b) => a.name.localeCompare(b.name));
    const lists = await Promise.all(
      others.map(async (record) => {
        try {
          const reply = (await this.call(record.name, "list", { local: true }, LIST_TIMEOUT_MS)) as { actors: ActorStatus[] };
          return reply.actors;
        } catch {
          return record.actors;
        }
      }),
    );
    const rows = [local.map((a) => ({ ...a, node: this.options.node })), ...lists.map((actors, i) => actors.map((a) => ({ ...a, node: others[i]!.name })))];
    return rows.flat();
  }

  private call(node: string, endpoint: string, input: object, timeoutMs: number): Promise<unknown> {
    return callEndpoint(this.options.transport, { subject: hubNodeSubject(this.options.prefix, node, endpoint), actor: hubContract.actor, endpoint }, input, {
      headers: { [Header.traceId]: newTraceId(), [Header.deadline]: String(Date.now() + timeoutMs), [Header.caller]: `${BuiltinActor.hub}/${this.options.node}` },
      timeoutMs,
    });
  }
}

/** NOT_FOUND for a node named to a hub that is not part of a cluster. */
export function notClustered(node: string): NotFoundError {
  return new NotFoundError(ErrorCode.NOT_FOUND, `node "${node}": this hub is not part of a cluster (no cluster: in config/fuse.yaml), leave out the node`, { details: { node, nodes: [] } });
}

/** NOT_FOUND for a node name the cluster does not know, naming those it does. */
export function unknownNode(node: string, known: string[]): NotFoundError {
  const list = known.length ? [...known].sort().join(", ") : "none";
  return new NotFoundError(ErrorCode.NOT_FOUND, `node "${node}" is not a live node of this cluster (live nodes: ${list})`, { details: { node, nodes: [...known].sort() } });
}
