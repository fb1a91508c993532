/**
 * The workerd configuration (Cap'n Proto text) that serves the Worker bundle on 127.0.0.1 and
 * lets it reach etcd on loopback: workerd's default outbound allows only public addresses, so
 * the Worker's global outbound is a network service that allows "local" (and "private").
 *
 * @example
 * writeFileSync("config.capnp", workerdConfig({ port: 8787, bundle: "worker.mjs", bindings: { ETCD_ENDPOINTS: url } }));
 */
export function workerdConfig(options: { port: number; bundle: string; bindings: Record<string, string> }): string {
  const bindings = Object.entries(options.bindings)
    .map(([name, text]) => `      (name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)}),`)
    .join("\n");
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .etcdWorker),
    (name = "loopback", network = (allow = ["local", "private", "public"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${options.port}", http = (), service = "main") ],
);

const etcdWorker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed ${JSON.stringify(options.bundle)}) ],
  compatibilityDate = "2024-09-23",
  globalOutbound = "loopback",
  bindings = [
${bindings}
  ],
);
`;
}
