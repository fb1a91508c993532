/**
 * The Node.js built-ins the snapshot writer needs, imported on first use: the rest of
 * @etcdkit/maintenance (status, alarms, defragment, hashes) then loads in any runtime that has
 * `fetch`-style transports (edge functions, browsers), and only `snapshot()` needs Node.js
 * (or a runtime with `node:` modules, such as Deno or Bun).
 *
 * @example
 * ```ts
 * const { fs, path }: NodeModules = await loadNodeModules();
 * ```
 */
export interface NodeModules {
  readonly fs: typeof import("node:fs/promises");
  readonly path: typeof import("node:path");
  readonly crypto: typeof import("node:crypto");
  readonly events: typeof import("node:events");
  readonly streams: typeof import("node:stream/promises");
}

let loaded: Promise<NodeModules> | undefined;

/**
 * Loads (once) the Node.js built-ins of the snapshot writer.
 *
 * @example
 * ```ts
 * const { fs, crypto } = await loadNodeModules();
 * ```
 */
export function loadNodeModules(): Promise<NodeModules> {
  loaded ??= Promise.all([
    import("node:fs/promises"),
    import("node:path"),
    import("node:crypto"),
    import("node:events"),
    import("node:stream/promises"),
  ]).then(([fs, path, crypto, events, streams]) => ({ fs, path, crypto, events, streams }));
  return loaded;
}
