import type { EventFollow, FollowedEvent } from "../../sdk/internal.ts";
import type { LiveClient } from "./live-client.ts";
import { KEEP_ALIVE, eventFrame } from "./sse-frame.ts";

/** How the gateway follows a topic on the bus: from `afterSeq`, or from now. */
export type Follow = (topic: string, afterSeq: number | undefined, onEvent: (event: FollowedEvent) => void) => Promise<EventFollow>;

interface Feed {
  clients: Set<LiveClient>;
  /** Resolves once following; rejects when the bus refused (the feed is then forgotten). */
  ready: Promise<EventFollow>;
}

/**
 * One follow of each topic (pattern) that browsers watch, shared by its clients: an event is
 * read from the bus and made into SSE bytes once, however many follow it. A feed starts with
 * its first client and stops with its last. A keep-alive comment reaches every client at each
 * `keepAliveMs`.
 */
export class LiveFeeds {
  private readonly feeds = new Map<string, Feed>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly follow: Follow,
    keepAliveMs: number,
  ) {
    this.timer = setInterval(() => {
      for (const feed of this.feeds.values()) for (const client of feed.clients) client.write(KEEP_ALIVE);
    }, keepAliveMs);
    this.timer.unref();
  }

  /** Clients following now, over every topic. */
  get clients(): number {
    let n = 0;
    for (const feed of this.feeds.values()) n += feed.clients.size;
    return n;
  }

  /** Adds `client` to `topic`'s feed; resolves once every event stored from then on reaches it. */
  async join(topic: string, client: LiveClient): Promise<void> {
    let feed = this.feeds.get(topic);
    if (!feed) {
      const clients = new Set<LiveClient>();
      const ready = this.follow(topic, undefined, (event) => {
        const frame = eventFrame(event);
        for (const c of clients) c.fromFeed(frame);
      });
      feed = { clients, ready };
      this.feeds.set(topic, feed);
      const made = feed;
      ready.catch(() => {
        if (this.feeds.get(topic) === made) this.feeds.delete(topic);
      });
    }
    feed.clients.add(client);
    try {
      await feed.ready;
    } catch (error) {
      feed.clients.delete(client);
      throw error;
    }
  }

  leave(topic: string, client: LiveClient): void {
    const feed = this.feeds.get(topic);
    if (!feed?.clients.delete(client) || feed.clients.size) return;
    this.feeds.delete(topic);
    void feed.ready.then((f) => f.stop()).catch(() => undefined);
  }

  /** Ends every client's response and stops following (the gateway stops). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    for (const feed of feeds) for (const client of [...feed.clients]) client.end();
    await Promise.all(feeds.map((feed) => feed.ready.then((f) => f.stop()).catch(() => undefined)));
  }
}
