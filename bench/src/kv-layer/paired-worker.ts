/**
 * Worker of the kv suite's paired measurement: two clients of clients.ts (`raw` and `etcdkit-kv`,
 * or `raw` twice for the A/A control), each on its own etcdkit transport to the real etcd, both in
 * this one process. After preparing
 * the keys and warming both up, it runs `pairs` pairs of short windows; in each pair both clients
 * run the workload for `windowMs` (the first one alternating), and each window records the ops it
 * completed and the process CPU it took. Spawned by measurePaired() in paired.ts.
 */
import { measureLoops } from "../workload.js";
import { runAsWorker } from "../worker-process.js";
import { kvLayerClientByName } from "./clients.js";
import { loopCalls, prepare } from "./measure.js";
import type { PairedResult, PairedSpec, WindowSample } from "./paired.js";
import { WARMUP_LOOPS } from "./workloads.js";

async function measure(spec: PairedSpec): Promise<PairedResult> {
  const { workload } = spec;
  const value = Buffer.alloc(workload.valueBytes, "v");
  const clients = spec.clients.map((name) => kvLayerClientByName(name).create(spec.url));
  try {
    const loops = await Promise.all(
      clients.map(async (client, i) => {
        const prefix = `${spec.keyPrefix}/${i}`;
        await prepare(client, workload, prefix, value);
        return loopCalls(client, workload, prefix, value);
      }),
    );
    for (const calls of loops) {
      const warm = Array.from({ length: Math.max(WARMUP_LOOPS, calls.length) }, (_, i) => calls[i % calls.length]!);
      await measureLoops(warm, false, spec.warmupMs);
    }
    const window = async (calls: (() => Promise<unknown>)[]): Promise<WindowSample> => {
      const phase = await measureLoops(calls, false, spec.windowMs);
      return { ops: phase.ops, cpuUs: phase.cpuUs };
    };
    const samples: [WindowSample, WindowSample][] = [];
    for (let pair = 0; pair < spec.pairs; pair++) {
      if (pair % 2 === 0) {
        const first = await window(loops[0]!);
        samples.push([first, await window(loops[1]!)]);
      } else {
        const second = await window(loops[1]!);
        samples.push([await window(loops[0]!), second]);
      }
    }
    return { samples };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

runAsWorker(measure);
