import type { SseFrame } from "./sse-frame.ts";

export interface LiveClientOptions {
  /** Bytes queued for this client beyond which it is dropped as too slow. */
  bufferBytes: number;
  /** Resume after this stream sequence: stored events are caught up before live ones. */
  afterSeq?: number;
  /** Cuts the client's connection (it was too slow); the stream's cancel follows. */
  cut(): void;
  /** Told once when the client is gone (left, cut or dropped). */
  onClose(reason: "left" | "dropped"): void;
}

/**
 * One browser following a topic: a byte-bounded queue in front of its response. Live frames
 * come from the topic's shared feed; a client that resumes (Last-Event-ID) first gets the
 * stored ones from its own catch-up, holding live frames meanwhile, and switches to the feed
 * once the catch-up reaches the first frame held. Frames are written by increasing sequence
 * only, so none is repeated or, both sources being complete from their start, lost.
 */
export class LiveClient {
  readonly body: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private lastSent: number;
  private catchingUp: boolean;
  private held: SseFrame[] = [];
  private heldBytes = 0;
  private closed = false;
  private stopCatchUp: (() => void) | undefined;

  constructor(private readonly options: LiveClientOptions) {
    this.lastSent = options.afterSeq ?? 0;
    this.catchingUp = options.afterSeq !== undefined;
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => void (this.controller = controller),
        cancel: () => this.close("left"),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: options.bufferBytes }),
    );
  }

  get isCatchingUp(): boolean {
    return this.catchingUp;
  }

  /** Keeps the catch-up's stop, called once it is over or the client is gone. */
  catchUpWith(stop: () => void): void {
    if (this.closed || !this.catchingUp) stop();
    else this.stopCatchUp = stop;
  }

  /** A live frame from the topic's feed. */
  fromFeed(frame: SseFrame): void {
    if (this.closed) return;
    if (!this.catchingUp) {
      if (frame.seq > this.lastSent) this.send(frame);
      return;
    }
    // The catch-up has reached the feed: the feed goes on, in order, from this frame.
    if (frame.seq <= this.lastSent) return this.finishCatchUp();
    this.held.push(frame);
    this.heldBytes += frame.bytes.length;
    if (this.heldBytes + this.queued() > this.options.bufferBytes) this.drop();
  }

  /** A stored frame from this client's catch-up. */
  fromCatchUp(frame: SseFrame): void {
    if (this.closed || !this.catchingUp || frame.seq <= this.lastSent) return;
    this.send(frame);
    const first = this.held[0];
    if (first && frame.seq >= first.seq) this.finishCatchUp();
  }

  /** Bytes that are not events (the opening, keep-alives); never dropped for being held. */
  write(bytes: Uint8Array): void {
    if (this.closed) return;
    this.controller.enqueue(bytes);
    if (this.queued() > this.options.bufferBytes) this.drop();
  }

  /** Ends the response (the gateway stops). */
  end(): void {
    if (this.closed) return;
    this.controller.close();
    this.close("left");
  }

  private finishCatchUp(): void {
    this.catchingUp = false;
    this.stopCatchUp?.();
    this.stopCatchUp = undefined;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const frame of held) if (frame.seq > this.lastSent) this.send(frame);
  }

  private queued(): number {
    return this.options.bufferBytes - (this.controller.desiredSize ?? 0);
  }

  private send(frame: SseFrame): void {
    if (this.closed) return;
    this.lastSent = frame.seq;
    this.controller.enqueue(frame.bytes);
    if (this.queued() > this.options.bufferBytes) this.drop();
  }

  private drop(): void {
    if (this.closed) return;
    this.close("dropped");
    this.options.cut();
  }

  private close(reason: "left" | "dropped"): void {
    if (this.closed) return;
    this.closed = true;
    this.held = [];
    this.stopCatchUp?.();
    this.stopCatchUp = undefined;
    this.options.onClose(reason);
  }
}
