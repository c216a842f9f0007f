import type { NatsConnection } from "nats";
import { serviceInfoSubject, servicePingSubject } from "../../runtime/protocol/index.ts";

export interface StandInInstance {
  /** How many INFO requests it answered. */
  asked(): number;
  stop(): void;
}

/**
 * Plays an instance of `actor` that is live but not subscribed to its endpoints (one starting,
 * before its subscriptions reach the server): it answers `$SRV.PING.<actor>`, and
 * `$SRV.INFO.<actor>` declaring `subjects`, and serves none of them. `onInfo` runs before each
 * INFO answer (with the count so far). Resolves once the server has its subscriptions.
 */
export async function standInInstance(nc: NatsConnection, actor: string, subjects: string[], onInfo: (n: number) => Promise<void> = async () => {}): Promise<StandInInstance> {
  let asked = 0;
  const info = JSON.stringify({ type: "io.nats.micro.v1.info_response", name: actor, id: "stand-in", version: "1.0.0", endpoints: subjects.map((subject) => ({ name: subject.split(".").pop(), subject })) });
  const ping = JSON.stringify({ type: "io.nats.micro.v1.ping_response", name: actor, id: "stand-in" });
  const subs = [
    nc.subscribe(servicePingSubject(actor), { callback: (_err, msg) => msg.respond(ping) }),
    nc.subscribe(serviceInfoSubject(actor), { callback: (_err, msg) => void onInfo(++asked).then(() => msg.respond(info)) }),
  ];
  await nc.flush();
  return { asked: () => asked, stop: () => subs.forEach((sub) => sub.unsubscribe()) };
}
