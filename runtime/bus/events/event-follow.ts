/** One stored event as a follower (a live view, not a subscriber) sees it. */
export interface FollowedEvent {
  /** The topic it was emitted on (the subject after `<prefix>.events.`). */
  readonly topic: string;
  /** Its sequence in the hub's event stream: increasing, never reused; a resume point. */
  readonly seq: number;
  /** Epoch ms it was stored. */
  readonly storedAt: number;
  readonly data: Uint8Array;
  header(name: string): string | undefined;
}

/**
 * Follows a topic's stored events in stream order without a durable subscription: nothing is
 * acknowledged, no subscriber's position moves, and nothing of it outlives `stop`. For live
 * views (the gateway's `/events/<topic>`), not for handling events.
 */
export interface EventFollowSpec {
  prefix: string;
  /** A topic, or a pattern of one with `*` (one word) and `>` (the rest). */
  topic: string;
  /**
   * Start after this stream sequence (stored events first, then live ones); undefined: only
   * events stored after the follow is made (the promise of `followEvents` resolves then).
   */
  afterSeq?: number;
  /** Called for each event, in stream order; must not throw. */
  onEvent(event: FollowedEvent): void;
}

export interface EventFollow {
  stop(): Promise<void>;
}
