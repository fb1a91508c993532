/**
 * An async iterable whose values are `map(value)` of `source`'s. Unlike an async generator, it
 * forwards `return()` and `throw()` to the source at once, even while a `next()` is pending: a
 * stream consumer that stops (or a request stream that is closed) reaches the source directly.
 * A `map` that throws rejects that `next()` with the error.
 *
 * @example
 * ```ts
 * const keys = mapAsyncIterable(responses, (message) => message.kvs.length);
 * ```
 */
export function mapAsyncIterable<T, U>(source: AsyncIterable<T>, map: (value: T) => U): AsyncIterable<U> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<U> {
      const iterator = source[Symbol.asyncIterator]();
      const mapped: AsyncIterator<U> = {
        async next(): Promise<IteratorResult<U>> {
          const result = await iterator.next();
          return result.done === true ? result : { done: false, value: map(result.value) };
        },
      };
      if (iterator.return !== undefined) {
        mapped.return = async (value?: unknown): Promise<IteratorResult<U>> => {
          const result = await iterator.return!(value as never);
          return result.done === true ? result : { done: false, value: map(result.value) };
        };
      }
      if (iterator.throw !== undefined) {
        mapped.throw = async (error?: unknown): Promise<IteratorResult<U>> => {
          const result = await iterator.throw!(error);
          return result.done === true ? result : { done: false, value: map(result.value) };
        };
      }
      return mapped;
    },
  };
}
