/**
 * What `fn` throws when called, or undefined when it returns: for asserting on a synchronous
 * error's type and fields (e.g. an EtcdError's reason) without try/catch in every test.
 *
 * @example
 * ```ts
 * expect(isEtcdError(thrownBy(() => op.get("")), "empty-key")).toBe(true);
 * ```
 */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
