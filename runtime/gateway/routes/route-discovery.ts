import type { DiscoveredService } from "../../sdk/internal.ts";
import type { Logger } from "../../log/index.ts";
import { buildRouteTable, emptyRouteTable, type RouteTable } from "./route-table.ts";

export interface RouteDiscoveryOptions {
  /**
   * One `$SRV.INFO` round (`ctx.discover`); with `actor`, that actor's instances alone
   * (`$SRV.INFO.<actor>`), which waits for the first answer however late it comes.
   */
  discover(actor?: string): Promise<DiscoveredService[]>;
  log: Logger;
  /** Ms between rounds. */
  intervalMs: number;
  /** Shortest gap between rounds asked for by requests that found nothing. */
  missIntervalMs: number;
  /** Called after each round that changed the table. */
  onChange?(table: RouteTable): void;
  /** Who else claims a route's path shape (a frontend's mount, `web /admin`): a route there is a conflict. */
  claimOf?(shape: string): string | undefined;
}

/**
 * Keeps the route table following the bus: a discovery round every `intervalMs`, and an early
 * one when a request names an actor or endpoint the table does not know (at most one every
 * `missIntervalMs`, so a flood of unknown names cannot flood the bus). Requests read
 * `table`; they never wait for discovery unless they missed.
 */
export class RouteDiscovery {
  table: RouteTable = emptyRouteTable();
  /** Whether a first round completed. */
  ready = false;
  private running: Promise<RouteTable> | undefined;
  /** The last round's answers, and the table before it: what an actor asked for by name is added to. */
  private lastServices: DiscoveredService[] = [];
  private beforeLast: RouteTable = emptyRouteTable();
  private missRound: Promise<RouteTable> | undefined;
  private lastStart = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly reported = new Set<string>();

  constructor(private readonly options: RouteDiscoveryOptions) {}

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One round now, or the round already under way. */
  refresh(): Promise<RouteTable> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * The table after a round that starts after this call (an actor that just arrived is in
   * it), for requests that found nothing. Misses share one pending round, and rounds start at
   * most one per `missIntervalMs`.
   */
  async refreshOnMiss(actor?: string): Promise<RouteTable> {
    this.missRound ??= (async () => {
      const wait = this.lastStart + this.options.missIntervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // A round already under way may have asked before the newcomer answered: run another.
      if (this.running) await this.running;
      return this.refresh();
    })().finally(() => (this.missRound = undefined));
    const table = await this.missRound;
    return actor && !table.actors.has(actor) ? this.askFor(actor) : table;
  }

  /**
   * Asks the instances of one actor the last round missed: a round ends 150 ms after the last
   * answer, and an instance busy that long (a loaded host, a far cluster node) answers after
   * it. Its answer joins the last round's, so a request for it is not refused as unknown.
   */
  private async askFor(actor: string): Promise<RouteTable> {
    try {
      const found = await this.options.discover(actor);
      if (found.length === 0) return this.table;
      this.lastServices = [...this.lastServices.filter((s) => s.actor !== actor), ...found];
      this.apply(buildRouteTable(this.lastServices, this.beforeLast, this.options.claimOf));
    } catch (err) {
      this.options.log.warn({ err, actor }, "route discovery failed");
    }
    return this.table;
  }

  private apply(next: RouteTable): void {
    const changed = next.signature !== this.table.signature;
    this.table = next;
    this.ready = true;
    if (changed) this.changed(next);
  }

  private async round(): Promise<RouteTable> {
    this.lastStart = Date.now();
    try {
      const services = await this.options.discover();
      this.beforeLast = this.table;
      this.lastServices = services;
      this.apply(buildRouteTable(services, this.table, this.options.claimOf));
    } catch (err) {
      this.options.log.warn({ err }, "route discovery failed");
    }
    return this.table;
  }

  private reportOnce(problem: string, msg: string, extra: object): void {
    if (this.reported.has(problem)) return;
    this.reported.add(problem);
    this.options.log.warn({ problem, ...extra }, msg);
  }

  private changed(table: RouteTable): void {
    const actors = [...table.actors.values()].map((a) => `${a.name}${a.live ? `×${a.instances}` : " (offline)"}`);
    this.options.log.info({ actors, routes: [...table.routes.values()].reduce((n, l) => n + l.length, 0) }, "routes changed");
    for (const conflict of table.conflicts) this.reportOnce(conflict.message, "route conflict", { claimants: conflict.claimants });
    for (const invalid of table.invalid) this.reportOnce(`${invalid.target}: ${invalid.message}`, "route invalid", { target: invalid.target });
    this.options.onChange?.(table);
  }
}
