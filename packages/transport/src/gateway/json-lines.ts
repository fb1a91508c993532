import { Code } from "@connectrpc/connect";
import { EtcdError } from "../errors/etcd-error.js";
import { messageTooLargeError } from "../call/call-errors.js";

/**
 * Reads a streaming gateway answer: newline-delimited JSON objects (`{"result": …}` per message,
 * a final `{"error": …}` on failure), from a fetch body whose chunks may split anywhere (inside a
 * line, inside a multi-byte character). Time is linear in the body's size however it is chunked.
 *
 * Ending the iteration early (break, return, a throw in the loop) cancels the body, which closes
 * the request. A line that is not JSON throws an EtcdError (code Internal); a line longer than
 * `maxLine` characters (the receive limit) throws "message-too-large" before it is kept whole.
 *
 * @example
 * ```ts
 * const response = await fetch(url, { method: "POST", body });
 * for await (const line of readJsonLines(response.body!)) console.log(line); // { result: {...} }
 * ```
 */
export async function* readJsonLines(body: ReadableStream<Uint8Array>, maxLine = Infinity): AsyncGenerator<unknown, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let parts: string[] = [];
  /** Characters of the line being read (in `parts`), bounded by `maxLine`. */
  let pending = 0;
  let done = false;
  try {
    while (true) {
      const chunk = await reader.read();
      const text = chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
      let start = 0;
      for (let newline = text.indexOf("\n"); newline >= 0; newline = text.indexOf("\n", start)) {
        if (pending + newline - start > maxLine) throw messageTooLargeError("response", pending + newline - start, maxLine);
        parts.push(text.slice(start, newline));
        const line = parts.join("");
        parts = [];
        pending = 0;
        start = newline + 1;
        if (line.trim() !== "") yield parseLine(line);
      }
      if (start < text.length) {
        pending += text.length - start;
        if (pending > maxLine) throw messageTooLargeError("response", pending, maxLine);
        parts.push(text.slice(start));
      }
      if (chunk.done) break;
    }
    const rest = parts.join("");
    if (rest.trim() !== "") yield parseLine(rest);
    done = true;
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch (err) {
    throw new EtcdError(`the gateway sent a line that is not JSON (${line.length} characters)`, "unknown", Code.Internal, { cause: err });
  }
}
