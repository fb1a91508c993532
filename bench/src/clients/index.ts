import { bareHttp2Client } from "./bare-http2.js";
import { connectGrpcClient } from "./connect-grpc.js";
import { etcd3Client } from "./etcd3.js";
import { etcdkitClient } from "./etcdkit.js";
import type { ClientFactory } from "./types.js";

export type { BenchClient, ClientFactory } from "./types.js";

/** Every client the bench knows, in table order. Add a client by adding a file and a line here. */
export const clients: readonly ClientFactory[] = [etcdkitClient, connectGrpcClient, etcd3Client, bareHttp2Client];

/** Looks a client up by name; throws with the known names otherwise. */
export function clientByName(name: string): ClientFactory {
  const found = clients.find((c) => c.name === name);
  if (found === undefined) throw new Error(`unknown client "${name}" (known: ${clients.map((c) => c.name).join(", ")})`);
  return found;
}
