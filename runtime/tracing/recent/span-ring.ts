/**
 * A bounded ring of the latest items: adding past the bound overwrites the oldest, so memory
 * never grows with traffic and an add costs one array write.
 */
export class SpanRing<T> {
  private readonly items: (T | undefined)[];
  /** Where the next item goes; once full, also where the oldest is. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`a ring holds at least one item, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  add(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** The items held, oldest first. */
  values(): T[] {
    const out: T[] = [];
    const first = this.count < this.capacity ? 0 : this.next;
    for (let i = 0; i < this.count; i++) out.push(this.items[(first + i) % this.capacity] as T);
    return out;
  }
}
