// How long after a death notice a request sent meanwhile may still have reached the dead
// instance: the bus drops a dead connection's subscriptions a moment after the process is gone,
// and the notice may overtake that (as the transport's grace for untaken requests).
const LATE_GRACE_MS = 250;

/**
 * The requests the gateway has in flight that are safe to send again, by actor. When the hub
 * reports an instance of an actor dead (`$FUSE.instance.lost`), each of them is asked to send
 * itself once more at once, and again after a short grace those sent in the meantime: the
 * gateway cannot tell, without receipts, which instance holds which request, so every
 * request to that actor is sent again; each `retry` acts at most once.
 */
export class LossWatch {
  private readonly byActor = new Map<string, Set<() => void>>();

  /** Holds `retry` while a request to `actor` is in flight; returns its release. */
  hold(actor: string, retry: () => void): () => void {
    let held = this.byActor.get(actor);
    if (!held) this.byActor.set(actor, (held = new Set()));
    held.add(retry);
    return () => {
      held.delete(retry);
      if (!held.size && this.byActor.get(actor) === held) this.byActor.delete(actor);
    };
  }

  /** An instance of `actor` died: its requests in flight are sent again, now and after the grace. */
  lost(actor: string): void {
    this.retryAll(actor);
    setTimeout(() => this.retryAll(actor), LATE_GRACE_MS).unref();
  }

  private retryAll(actor: string): void {
    for (const retry of [...(this.byActor.get(actor) ?? [])]) retry();
  }
}
