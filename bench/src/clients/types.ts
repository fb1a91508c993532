/**
 * The tiny surface every benchmarked client implements. Keys and values are passed as the same
 * `Buffer` objects on every call of a loop (a `Buffer` is a `Uint8Array`, so every client takes
 * them without conversion), which lets a floor client cache its encoded request per key.
 */
export interface BenchClient {
  /** One unary KV.Put of `key` = `value`; resolves once etcd answered. */
  put(key: Uint8Array, value: Uint8Array): Promise<unknown>;
  /** One unary KV.Range of exactly `key`; resolves to the value, or undefined when absent. */
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Releases connections; the benchmark never calls put/get afterwards. */
  close(): Promise<void>;
}

/** A named way to build a {@link BenchClient} for one etcd endpoint. */
export interface ClientFactory {
  /** Short id used in tables and on the command line, e.g. "etcd3". */
  readonly name: string;
  /** One line on what the client is, printed under the tables. */
  readonly description: string;
  /**
   * Resolves to a human-readable reason when the client cannot run in this checkout
   * (e.g. a package that does not export its entry point yet), or undefined when it can.
   */
  unavailable(): Promise<string | undefined>;
  /** Connects to `url` (e.g. "http://127.0.0.1:2379"). */
  create(url: string): Promise<BenchClient>;
}
