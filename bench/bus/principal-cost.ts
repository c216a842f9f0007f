// What a principal adds to one bus call, alone, in one process: the caller encoding the call's
// headers with the Fuse-Principal token it carries on, and the callee parsing them, reading what
// the endpoint runner reads, verifying the token (from the verifier's cache, as every request
// after a principal's first) and checking the endpoint's access. Measured against the same
// work without a token, alternating, median of rounds: a steady figure beside the bus rounds,
// whose noise on a shared machine is larger than this cost.
import { generateKeyPairSync } from "node:crypto";
import { encodeHeaders, ReceivedHeaders } from "../../runtime/bus/nats-wire.ts";
import { Header, LOCAL_ADMIN } from "../../runtime/protocol/index.ts";
import { checkPrincipalAccess } from "../../runtime/sdk/endpoint-access.ts";
import { createPrincipalVerifier, signPrincipal } from "../../runtime/security/index.ts";

const CALLS = 100_000;
const ROUNDS = 9;
const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const token = signPrincipal(LOCAL_ADMIN, privateKey, 3_600_000);
const verifier = createPrincipalVerifier(publicKey);
const READ = [Header.deadline, Header.principal, Header.traceId, Header.caller, Header.idempotencyKey];

// The bytes a callee receives: what encodeHeaders made, as the server passes it on.
const blockOf = (headers: Record<string, string>) => new Uint8Array(Buffer.from(`NATS/1.0\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n`));

function hop(withPrincipal: boolean): () => void {
  const base = { [Header.traceId]: "0123456789abcdef0123456789abcdef", [Header.deadline]: String(Date.now() + 30_000), [Header.caller]: "bench-caller" };
  const sent: Record<string, string> = withPrincipal ? { ...base, [Header.principal]: token } : base;
  const block = blockOf(sent);
  return () => {
    const headers: Record<string, string> = {};
    for (const key in sent) headers[key] = sent[key]!;
    encodeHeaders(headers);
    const received = new ReceivedHeaders(block);
    let carried: string | undefined;
    for (const name of READ) if (name === Header.principal) carried = received.get(name);
    else received.get(name);
    if (carried !== undefined) checkPrincipalAccess("echo.echo", undefined, verifier.verify(carried));
  };
}

function nsPerCall(fn: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) fn();
  return Number(process.hrtime.bigint() - start) / CALLS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const without = hop(false);
const withToken = hop(true);
nsPerCall(without);
nsPerCall(withToken);
const plain: number[] = [];
const carried: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  plain.push(nsPerCall(without));
  carried.push(nsPerCall(withToken));
}
const row = { without_us: +(median(plain) / 1000).toFixed(2), with_us: +(median(carried) / 1000).toFixed(2), token_bytes: token.length };
process.stdout.write(`RESULT ${JSON.stringify(row)}\n`);
process.exit(0);
