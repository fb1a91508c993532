import type { WatchSubscription } from "./watch-subscription.js";

/** When an array-backed table has this many slots and fewer than a quarter in use, it turns into a Map. */
const SPARSE_MIN_SLOTS = 4096;

/**
 * Watch ID → watch for one stream. etcdkit picks the IDs (1, 2, 3, ... per stream), so while they
 * stay dense they index an array (8 bytes per watch, where a Map costs about 45); once most IDs
 * are gone (long streams with many short watches) the table moves to a Map so memory follows the
 * live watches. IDs the server picked itself (servers before 3.4) also go to the Map.
 *
 * @example
 * ```ts
 * const table = new IdTable();
 * table.set(1, sub);
 * table.get(1); // sub
 * table.delete(1);
 * ```
 */
export class IdTable {
  private slots: (WatchSubscription | undefined)[] | undefined = [undefined];
  private map: Map<number, WatchSubscription> | undefined = undefined;
  private count = 0;

  /** Watches in the table. */
  get size(): number {
    return this.count;
  }

  get(id: number): WatchSubscription | undefined {
    const slots = this.slots;
    if (slots !== undefined && id >= 0 && id < slots.length) return slots[id];
    return this.map?.get(id);
  }

  set(id: number, sub: WatchSubscription): void {
    const slots = this.slots;
    if (slots !== undefined && id >= 0 && id <= slots.length) {
      if (this.map?.delete(id) === true) this.count--; // an ID the server picked earlier
      if (id === slots.length) slots.push(sub);
      else {
        if (slots[id] === undefined) this.count++;
        slots[id] = sub;
        return;
      }
      this.count++;
      return;
    }
    const map = (this.map ??= new Map());
    if (!map.has(id)) this.count++;
    map.set(id, sub);
  }

  delete(id: number): void {
    const slots = this.slots;
    if (slots !== undefined && id >= 0 && id < slots.length) {
      if (slots[id] === undefined) return;
      slots[id] = undefined;
      this.count--;
      if (slots.length >= SPARSE_MIN_SLOTS && this.count * 4 < slots.length) this.toMap();
      return;
    }
    if (this.map?.delete(id) === true) this.count--;
  }

  *values(): Generator<WatchSubscription> {
    const slots = this.slots;
    if (slots !== undefined) for (const sub of slots) if (sub !== undefined) yield sub;
    if (this.map !== undefined) yield* this.map.values();
  }

  /** Moves every entry to the Map; later IDs (which are all higher) go there too. */
  private toMap(): void {
    const slots = this.slots!;
    const map = (this.map ??= new Map());
    slots.forEach((sub, id) => {
      if (sub !== undefined) map.set(id, sub);
    });
    this.slots = undefined;
  }
}
