import { messageTooLargeError } from "../call/call-errors.js";

/**
 * The whole body of a fetch response as text, refused with EtcdError "message-too-large" once
 * it is larger than `limit` bytes: at once when its Content-Length says so, else as soon as the
 * bytes read pass the limit (the rest is not read; the body is canceled). A gateway answer is
 * parsed as JSON whole, which costs a multiple of its size in memory, so a body without a bound
 * would let a server exhaust the heap.
 *
 * @example
 * ```ts
 * const text = await readTextWithin(response, 16 * 1024 * 1024);
 * ```
 */
export async function readTextWithin(response: Response, limit: number): Promise<string> {
  const announced = Number(response.headers.get("content-length") ?? Number.NaN);
  if (announced > limit) {
    await response.body?.cancel().catch(() => {});
    throw messageTooLargeError("response", announced, limit);
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  let done = false;
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      bytes += chunk.value.length;
      if (bytes > limit) throw messageTooLargeError("response", bytes, limit);
      parts.push(decoder.decode(chunk.value, { stream: true }));
    }
    parts.push(decoder.decode());
    done = true;
    return parts.join("");
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

