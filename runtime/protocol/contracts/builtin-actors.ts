/** The names of the actors every hub runs itself; user actors may not take them. */
export const BuiltinActor = {
  hub: "hub",
  db: "db",
  gateway: "gateway",
  taskmaster: "taskmaster",
} as const;

export type BuiltinActorName = (typeof BuiltinActor)[keyof typeof BuiltinActor];
