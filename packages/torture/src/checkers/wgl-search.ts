import { HashedBitset } from "./bitset.js";

/**
 * A sequential specification for the linearizability search: a deterministic state machine.
 * `step` returns the next state, or undefined when the operation cannot happen in `state`
 * (e.g. a read returning another value). `key` identifies a state for memoization.
 *
 * @example
 * ```ts
 * const counter: SearchModel<number, number> = { init: () => 0, step: (s, add) => s + add, key: String };
 * ```
 */
export interface SearchModel<S, I> {
  init(): S;
  step(state: S, input: I): S | undefined;
  key(state: S): string;
}

/**
 * One operation of a history for the search: its real-time interval (`return` Infinity: its
 * outcome is unknown, it may take effect at any time after `invoke`) and its input (carrying
 * the output the model checks).
 *
 * @example
 * ```ts
 * const op: SearchOp<RegisterInput> = { id: 7, invoke: 10, return: 14, input };
 * ```
 */
export interface SearchOp<I> {
  readonly id: number;
  readonly invoke: number;
  readonly return: number;
  readonly input: I;
}

/**
 * What the search concluded. "illegal" carries the longest partial linearization found (record
 * IDs in order) and the operations that could not follow it; "unknown" means the step bound was
 * reached first.
 *
 * @example
 * ```ts
 * if (outcome.result === "illegal") console.log(outcome.longest, outcome.stuck);
 * ```
 */
export type SearchOutcome =
  | { readonly result: "ok"; readonly steps: number }
  | { readonly result: "illegal"; readonly steps: number; readonly longest: readonly number[]; readonly stuck: readonly number[] }
  | { readonly result: "unknown"; readonly steps: number };

interface Node<I> {
  readonly index: number;
  readonly input: I | undefined;
  /** For a call: its return node; null for returns and the head. */
  readonly match: Node<I> | null;
  next: Node<I> | null;
  prev: Node<I> | null;
}

/**
 * Wing & Gong's linearizability search with Lowe's memoization, as porcupine implements it:
 * walk the history's calls and returns in time order, try to linearize each pending call,
 * backtrack when a return is reached whose call is not linearized, and never revisit a
 * (linearized set, state) pair. Exponential in the worst case, so it stops after `maxSteps`
 * with "unknown".
 *
 * @example
 * ```ts
 * const outcome = searchLinearization(registerModel, ops, { maxSteps: 1_000_000 });
 * ```
 */
export function searchLinearization<S, I>(
  model: SearchModel<S, I>,
  ops: readonly SearchOp<I>[],
  options: { readonly maxSteps: number },
): SearchOutcome {
  const n = ops.length;
  if (n === 0) return { result: "ok", steps: 0 };
  const head = buildList(ops);
  const linearized = new HashedBitset(n);
  const cache = new Map<string, Uint32Array[]>();
  const calls: { node: Node<I>; state: S }[] = [];
  let longest: number[] = [];
  let stuck: number[] = [];
  let state = model.init();
  let entry = head.next;
  let steps = 0;

  while (head.next !== null) {
    if (++steps > options.maxSteps) return { result: "unknown", steps };
    if (entry === null) throw new Error("unreachable: ran past the end of the history");
    if (entry.match !== null) {
      const next = model.step(state, entry.input as I);
      if (next !== undefined) {
        linearized.add(entry.index);
        const key = `${linearized.hash}|${model.key(next)}`;
        const bucket = cache.get(key);
        if (bucket === undefined || !bucket.some((b) => HashedBitset.equals(b, linearized.words))) {
          if (bucket === undefined) cache.set(key, [linearized.snapshot()]);
          else bucket.push(linearized.snapshot());
          calls.push({ node: entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized.remove(entry.index);
      }
      entry = entry.next;
    } else {
      if (calls.length > longest.length || stuck.length === 0) {
        longest = calls.map((c) => ops[c.node.index]!.id);
        stuck = pendingCalls(head, ops);
      }
      const top = calls.pop();
      if (top === undefined) {
        return { result: "illegal", steps, longest, stuck };
      }
      state = top.state;
      linearized.remove(top.node.index);
      unlift(top.node);
      entry = top.node.next;
    }
  }
  return { result: "ok", steps };
}

/** Calls and returns in time order (calls before returns at equal times) as a linked list after a head node. */
function buildList<I>(ops: readonly SearchOp<I>[]): Node<I> {
  const events: { time: number; call: boolean; index: number }[] = [];
  ops.forEach((op, index) => {
    events.push({ time: op.invoke, call: true, index });
    events.push({ time: op.return, call: false, index });
  });
  events.sort((a, b) => (a.time !== b.time ? (a.time < b.time ? -1 : 1) : a.call === b.call ? 0 : a.call ? -1 : 1));
  const returns = new Map<number, Node<I>>();
  const head: Node<I> = { index: -1, input: undefined, match: null, next: null, prev: null };
  let tail = head;
  // Build returns first so calls can point at them.
  for (const e of events) if (!e.call) returns.set(e.index, { index: e.index, input: undefined, match: null, next: null, prev: null });
  for (const e of events) {
    const node: Node<I> = e.call ? { index: e.index, input: ops[e.index]!.input, match: returns.get(e.index)!, next: null, prev: null } : returns.get(e.index)!;
    tail.next = node;
    node.prev = tail;
    tail = node;
  }
  return head;
}

function lift<I>(entry: Node<I>): void {
  entry.prev!.next = entry.next;
  entry.next!.prev = entry.prev;
  const match = entry.match!;
  match.prev!.next = match.next;
  if (match.next !== null) match.next.prev = match.prev;
}

function unlift<I>(entry: Node<I>): void {
  const match = entry.match!;
  match.prev!.next = match;
  if (match.next !== null) match.next.prev = match;
  entry.prev!.next = entry;
  entry.next!.prev = entry;
}

/** IDs of the first few calls still in the list: the operations a partial linearization could not be extended with. */
function pendingCalls<I>(head: Node<I>, ops: readonly SearchOp<I>[]): number[] {
  const stuck: number[] = [];
  for (let node = head.next; node !== null && stuck.length < 5; node = node.next) {
    if (node.match !== null) stuck.push(ops[node.index]!.id);
  }
  return stuck;
}
