import { freePort } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { CallContext } from "../call/call-context.js";
import { AttemptFailure } from "../call/call-errors.js";
import { postAttempt } from "./gateway-fetch.js";

/** The AttemptFailure of one POST with the runtime's own fetch. */
async function failureOf(url: string): Promise<AttemptFailure> {
  const ctx = new CallContext(new Set(), undefined, 5_000);
  try {
    await postAttempt(fetch, url, "{}", { "content-type": "application/json" }, ctx, new AbortController());
  } catch (failure) {
    return failure as AttemptFailure;
  } finally {
    ctx.dispose();
  }
  throw new Error(`POST ${url} did not fail`);
}

describe("postAttempt: which network failures prove a request was not sent", () => {
  it("a refused connection: not sent (a write may go to another endpoint)", async () => {
    const failure = await failureOf(`http://127.0.0.1:${await freePort()}/v3/kv/put`);
    expect(failure).toBeInstanceOf(AttemptFailure);
    expect(failure.error.reason).toBe("unavailable");
    expect(failure.sent).toBe(false);
  });

  it("a port fetch refuses to use (Node's blocked-port list, e.g. 9): not sent (was: counted as possibly sent, so a write failed outcome-unknown)", async () => {
    const failure = await failureOf("http://127.0.0.1:9/v3/kv/put");
    expect(failure.error.rawMessage).toMatch(/bad port/);
    expect(failure.sent).toBe(false);
  });
});
