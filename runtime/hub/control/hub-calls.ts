import { callEndpoint, type NatsTransport } from "../../bus/index.ts";
import type { ScheduleConfig } from "../../config/index.ts";
import type { Logger } from "../../log/index.ts";
import { BuiltinActor, Header, endpointSubject, gatewayContract, newTraceId, taskmasterContract, type ContractOutput } from "../../protocol/index.ts";

const SCHEDULED_TIMEOUT_MS = 10 * 60_000;

/** One scheduled run: a call of its endpoint, or a task run waited for, with a fresh trace. */
export async function runScheduled(transport: NatsTransport, prefix: string, name: string, schedule: ScheduleConfig): Promise<void> {
  const [actor, endpoint] = schedule.call ? schedule.call.split(".") : [taskmasterContract.actor, "run"];
  const input = schedule.call ? schedule.input : { task: schedule.task, input: schedule.input, wait: true };
  await callEndpoint(transport, { subject: endpointSubject(prefix, actor!, endpoint!), actor: actor!, endpoint: endpoint! }, input, {
    headers: {
      [Header.traceId]: newTraceId(),
      [Header.deadline]: String(Date.now() + SCHEDULED_TIMEOUT_MS),
      [Header.caller]: `${BuiltinActor.hub}/schedule/${name}`,
    },
    timeoutMs: SCHEDULED_TIMEOUT_MS,
  });
}

/** Where the gateway listens, asked of the gateway itself once it is up. */
export async function askGatewayUrl(transport: NatsTransport, prefix: string, log: Logger): Promise<string | undefined> {
  try {
    const reply = (await callEndpoint(
      transport,
      { subject: endpointSubject(prefix, gatewayContract.actor, "info"), actor: gatewayContract.actor, endpoint: "info" },
      {},
      { headers: {}, timeoutMs: 5000 },
    )) as ContractOutput<typeof gatewayContract.endpoints.info>;
    return reply.url;
  } catch (err) {
    log.warn({ err }, "gateway url unknown");
    return undefined;
  }
}
