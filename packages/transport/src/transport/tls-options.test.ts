import { afterEach, describe, expect, it, vi } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { createTransport } from "./create-transport.js";
import { resolveOptions } from "./transport-options.js";

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isEtcdError(err, "invalid-argument")) return err.message;
    throw err;
  }
  throw new Error("did not throw");
}

describe("TLS options", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("refuses tls with an http:// endpoint: the credentials would go in cleartext", () => {
    const ca = "-----BEGIN CERTIFICATE-----\n...";
    expect(invalid(() => resolveOptions({ endpoints: ["http://10.0.0.1:2379"], tls: { ca } }))).toMatch(/tls.*https:\/\//);
    expect(invalid(() => resolveOptions({ endpoints: ["https://10.0.0.1:2379", "http://10.0.0.2:2379"], tls: { ca } }))).toMatch(
      /http:\/\/10\.0\.0\.2:2379/,
    );
    expect(() => createTransport({ endpoints: ["http://10.0.0.1:2379"], tls: {}, auth: { username: "root", password: "pw" } })).toThrow(
      /https/,
    );
    expect(resolveOptions({ endpoints: ["https://10.0.0.1:2379"], tls: { ca } }).tls).toEqual({ ca });
  });

  it("refuses a list that mixes https:// and http:// endpoints (one scheme for every connection, as Go's client)", () => {
    expect(invalid(() => resolveOptions({ endpoints: ["https://10.0.0.1:2379", "http://10.0.0.2:2379"] }))).toMatch(/mix/);
    expect(invalid(() => resolveOptions({ endpoints: ["http://10.0.0.1:2379", "https://10.0.0.2:2379"] }))).toMatch(/mix/);
    expect(resolveOptions({ endpoints: ["https://10.0.0.1:2379", "https://10.0.0.2:2379"] }).endpoints).toHaveLength(2);
  });

  it("warns once per process when server certificate verification is turned off", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const verified = createTransport({ endpoints: ["https://127.0.0.1:1"], tls: { rejectUnauthorized: true } });
    expect(warn).not.toHaveBeenCalled();
    const first = createTransport({ endpoints: ["https://127.0.0.1:1"], tls: { rejectUnauthorized: false } });
    const second = createTransport({ endpoints: ["https://127.0.0.1:2"], tls: { rejectUnauthorized: false } });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/rejectUnauthorized: false.*not verif/);
    await Promise.all([verified.close(), first.close(), second.close()]);
  });
});
