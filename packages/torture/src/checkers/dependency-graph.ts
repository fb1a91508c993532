/**
 * Kinds of dependency between transactions (Adya's, as Elle infers them from list-append
 * histories): ww (write-write: the next append to the same key), wr (write-read: a read saw the
 * append), rw (read-write anti-dependency: a read missed the next append), rt (real time: one
 * returned before the other was invoked).
 *
 * @example
 * ```ts
 * const kind: EdgeKind = "rw";
 * ```
 */
export type EdgeKind = "ww" | "wr" | "rw" | "rt";

/**
 * A directed graph of small integer nodes with labelled edges.
 *
 * @example
 * ```ts
 * const graph = new DependencyGraph(3);
 * graph.add(0, 1, "ww");
 * graph.add(1, 0, "wr");
 * findCycles(graph, new Set(["ww", "wr"])); // [[{ from: 0, to: 1, kind: "ww" }, { from: 1, to: 0, kind: "wr" }]]
 * ```
 */
export class DependencyGraph {
  readonly out: { to: number; kind: EdgeKind }[][];

  constructor(readonly size: number) {
    this.out = Array.from({ length: size }, () => []);
  }

  add(from: number, to: number, kind: EdgeKind): void {
    if (from === to) return;
    this.out[from]!.push({ to, kind });
  }
}

/**
 * One edge of a cycle.
 *
 * @example
 * ```ts
 * const edge: CycleEdge = { from: 3, to: 7, kind: "wr" };
 * ```
 */
export interface CycleEdge {
  readonly from: number;
  readonly to: number;
  readonly kind: EdgeKind;
}

/**
 * Strongly connected components of the graph restricted to edges of `kinds` (Tarjan's algorithm,
 * iterative, so deep graphs do not overflow the stack); only components of two or more nodes.
 *
 * @example
 * ```ts
 * const components = stronglyConnected(graph, new Set(["ww"]));
 * ```
 */
export function stronglyConnected(graph: DependencyGraph, kinds: ReadonlySet<EdgeKind>): number[][] {
  const n = graph.size;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: { node: number; edge: number }[] = [{ node: root, edge: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.out[frame.node]!;
      if (frame.edge < edges.length) {
        const e = edges[frame.edge++]!;
        if (!kinds.has(e.kind)) continue;
        if (index[e.to] === -1) {
          index[e.to] = low[e.to] = counter++;
          stack.push(e.to);
          onStack[e.to] = 1;
          work.push({ node: e.to, edge: 0 });
        } else if (onStack[e.to] === 1) {
          low[frame.node] = Math.min(low[frame.node]!, index[e.to]!);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low[parent.node] = Math.min(low[parent.node]!, low[frame.node]!);
      if (low[frame.node] === index[frame.node]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== frame.node);
        if (component.length > 1) components.push(component);
      }
    }
  }
  return components;
}

/**
 * A shortest cycle through `start` inside `component`, using edges of `kinds` (breadth-first).
 *
 * @example
 * ```ts
 * const cycle = cycleThrough(graph, component, component[0]!, kinds);
 * ```
 */
export function cycleThrough(graph: DependencyGraph, component: readonly number[], start: number, kinds: ReadonlySet<EdgeKind>): CycleEdge[] | undefined {
  const inside = new Set(component);
  const via = new Map<number, CycleEdge>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const e of graph.out[node]!) {
      if (!kinds.has(e.kind) || !inside.has(e.to)) continue;
      if (e.to === start) {
        const cycle: CycleEdge[] = [{ from: node, to: start, kind: e.kind }];
        for (let at = node; at !== start; ) {
          const edge = via.get(at)!;
          cycle.unshift(edge);
          at = edge.from;
        }
        return cycle;
      }
      if (!via.has(e.to) && e.to !== start) {
        via.set(e.to, { from: node, to: e.to, kind: e.kind });
        queue.push(e.to);
      }
    }
  }
  return undefined;
}
