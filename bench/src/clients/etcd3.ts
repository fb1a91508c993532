import { Etcd3 } from "etcd3";
import type { BenchClient, ClientFactory } from "./types.js";

/** The `etcd3` npm package (on @grpc/grpc-js), with its default options. */
export const etcd3Client: ClientFactory = {
  name: "etcd3",
  description: "the etcd3 npm package (@grpc/grpc-js): client.put(key).value(buf), client.get(key).buffer()",
  unavailable: () => Promise.resolve(undefined),
  create(url: string): Promise<BenchClient> {
    const client = new Etcd3({ hosts: url });
    return Promise.resolve({
      // The workload passes Buffers, which etcd3 takes as they are.
      put: (key, value) => client.put(key as Buffer).value(value as Buffer).exec(),
      get: (key) => client.get(key as Buffer).buffer().then((buf) => buf ?? undefined),
      close() {
        client.close();
        return Promise.resolve();
      },
    });
  },
};
