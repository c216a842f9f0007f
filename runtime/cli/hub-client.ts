import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { NatsTransport, callEndpoint, connectNats, type ConnectOptions } from "../bus/index.ts";
import { hubRunning, readState } from "../hub/index.ts";
import { FuseError, NotFoundError, UnavailableError, ValidationError } from "../errors/index.ts";
import {
  ADMIN_IDENTITY,
  ErrorCode,
  Header,
  STATE_FILE,
  endpointSubject,
  hubContract,
  inboxPrefix,
  newTraceId,
  parseTarget,
  type ActorContract,
  type ContractInput,
  type ContractOutput,
  type HubState,
} from "../protocol/index.ts";

export interface HubCallOptions {
  timeoutMs?: number;
  traceId?: string;
}
export type HubCall = (target: string, input?: unknown, options?: HubCallOptions) => Promise<unknown>;

/** Calls a built-in actor's endpoint through its contract, so input and reply are typed from the one declaration. */
export function callContract<TContract extends ActorContract, TEndpoint extends keyof TContract["endpoints"] & string>(
  call: HubCall,
  contract: TContract,
  endpoint: TEndpoint,
  input: ContractInput<TContract["endpoints"][TEndpoint]>,
  options?: HubCallOptions,
): Promise<ContractOutput<TContract["endpoints"][TEndpoint]>> {
  return call(contract.target(endpoint), input, options) as Promise<ContractOutput<TContract["endpoints"][TEndpoint]>>;
}

/** HUB_NOT_RUNNING for a folder without a state file, saying how to start a hub. */
export function noHubError(dir: string): UnavailableError {
  return new UnavailableError(`no hub is running in ${dir} (no ${STATE_FILE}); start one with \`fuse up\``, { code: ErrorCode.HUB_NOT_RUNNING });
}

/** The running hub's state file, or a clear error saying there is none and how to start one. */
export function readHubState(dir: string): HubState {
  const file = path.join(dir, STATE_FILE);
  if (!existsSync(file)) throw noHubError(dir);
  const state = JSON.parse(readFileSync(file, "utf8")) as HubState;
  if (!hubRunning(state)) {
    throw new UnavailableError(`the hub of ${dir} (pid ${state.pid}) is not running any more; start one with \`fuse up\``, {
      code: ErrorCode.HUB_NOT_RUNNING,
    });
  }
  return state;
}

/** How the CLI connects to a hub's bus: as the hub's admin identity (its seed's path is in the state file). */
export function hubConnectOptions(state: HubState): ConnectOptions {
  return { url: state.natsUrl, name: "fuse-cli", connectTimeoutMs: 3000, credsFile: state.natsCreds, inboxPrefix: inboxPrefix(ADMIN_IDENTITY), ...(state.natsTls ? { tls: state.natsTls } : {}) };
}

/** The hub's bus; when it cannot be reached and the hub says its nats-server is down, that is the error. */
async function connectToHub(dir: string, state: HubState) {
  try {
    return await connectNats(hubConnectOptions(state));
  } catch (error) {
    const since = readState(dir)?.busDownSince;
    if (since === undefined) throw error;
    const at = new Date(since).toISOString();
    throw new UnavailableError(`the bus of the hub in ${dir} is down since ${at} (${Math.round((Date.now() - since) / 1000)} s); the hub (pid ${state.pid}) is restarting its nats-server`, { cause: error });
  }
}

/**
 * Connects to the hub of `dir` and runs `fn` with a function that calls `"actor.endpoint"`
 * there; closes the connection afterwards.
 * @throws HUB_NOT_RUNNING when no hub runs in `dir`.
 */
export async function withHub<T>(dir: string, fn: (call: HubCall, state: HubState) => Promise<T>): Promise<T> {
  const state = readHubState(dir);
  const transport = new NatsTransport(await connectToHub(dir, state));
  const call: HubCall = (target, input = {}, options = {}) => {
    const parsed = parseTarget(target);
    if (!parsed) throw new ValidationError(`"${target}" is not of the form actor.endpoint`);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const headers = {
      [Header.traceId]: options.traceId ?? newTraceId(),
      [Header.deadline]: String(Date.now() + timeoutMs),
      [Header.caller]: "cli",
    };
    const subject = (actor: string, endpoint: string) => endpointSubject(state.prefix, actor, endpoint);
    return callEndpoint(transport, { subject: subject(parsed.actor, parsed.endpoint), ...parsed }, input, { headers, timeoutMs }).catch(
      (error: unknown) =>
        explainMissingActor(error, parsed.actor, () =>
          callEndpoint(transport, { subject: subject(hubContract.actor, "list"), actor: hubContract.actor, endpoint: "list" }, {}, { headers, timeoutMs: 3000 }),
        ),
    );
  };
  try {
    return await fn(call, state);
  } finally {
    await transport.close().catch(() => undefined);
  }
}

/**
 * Connects to the bus of the hub of `dir` and runs `fn` with the connection itself, for views
 * of JetStream such as `fuse events`; closes it afterwards.
 * @throws HUB_NOT_RUNNING when no hub runs in `dir`.
 */
export async function withBus<T>(dir: string, fn: (connection: Awaited<ReturnType<typeof connectNats>>, state: HubState) => Promise<T>): Promise<T> {
  const state = readHubState(dir);
  const connection = await connectToHub(dir, state);
  try {
    return await fn(connection, state);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * Nothing answering for an actor is NO_LIVE_INSTANCE on the bus; the hub knows whether the
 * actor exists at all. One it does not run is ACTOR_NOT_FOUND, worded as the gateway words it;
 * one it runs but that has no live instance says its state and last exit. If the hub cannot be
 * asked, the bus's own error stands.
 */
async function explainMissingActor(error: unknown, actor: string, listActors: () => Promise<unknown>): Promise<never> {
  if (!(error instanceof FuseError) || error.code !== ErrorCode.NO_LIVE_INSTANCE) throw error;
  const listed = hubContract.endpoints.list.output.safeParse(await listActors().catch(() => undefined));
  if (!listed.success) throw error;
  const status = listed.data.actors.find((a) => a.name === actor);
  if (!status) {
    const known = listed.data.actors.filter((a) => a.kind === "actor").map((a) => a.name).sort();
    throw new NotFoundError(ErrorCode.ACTOR_NOT_FOUND, `no actor "${actor}" on this hub (actors: ${known.join(", ") || "none"})`, {
      details: { actor, known },
    });
  }
  const lastExit = status.instances.map((i) => i.lastExit).find((exit) => exit !== undefined);
  const why = lastExit ? `; last exit: ${lastExit.reason}` : "";
  throw new UnavailableError(`no live instance of actor "${actor}": it is ${status.status}${why}`, { cause: error, details: { actor, status: status.status } });
}

export { FuseError };
