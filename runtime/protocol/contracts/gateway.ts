import { z } from "zod";
import { BuiltinActor } from "./builtin-actors.ts";
import { defineContract } from "./define-contract.ts";

/** The `gateway` actor's endpoints: the hub asks it where it listens (over the bus only: internal). */
export const gatewayContract = defineContract(BuiltinActor.gateway, {
  info: {
    access: "internal",
    description: "Where the gateway listens, and what it serves",
    input: z.object({}),
    output: z.object({ url: z.string(), actors: z.number().int(), routes: z.number().int(), conflicts: z.array(z.string()) }),
  },
});
