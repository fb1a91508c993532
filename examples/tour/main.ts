/**
 * The etcdkit tour (`npm run demo`). Connects to ETCD_ENDPOINTS (comma-separated), or
 * starts its own etcd in a temporary directory, then walks through what the SDK does.
 */
import { startEtcd } from "@etcdkit/testing";
import { clientChapter } from "./client-chapter.js";
import { concurrencyChapter } from "./concurrency-chapter.js";
import { kvChapter } from "./kv-chapter.js";
import { opsChapter } from "./ops-chapter.js";
import { rawClientsChapter } from "./raw-clients.js";
import { transportChapter } from "./transport-chapter.js";
import { watchLeaseChapter } from "./watch-lease-chapter.js";
import { createTourContext, type TourContext } from "./tour-context.js";

const chapters: Array<(ctx: TourContext) => Promise<void>> = [
  clientChapter,
  rawClientsChapter,
  transportChapter,
  kvChapter,
  watchLeaseChapter,
  opsChapter,
  concurrencyChapter,
];

const fromEnv = process.env.ETCD_ENDPOINTS?.split(",").map((s) => s.trim()).filter(Boolean);
const cluster = fromEnv?.length ? undefined : await startEtcd();
const endpoints = fromEnv?.length ? fromEnv : cluster!.endpoints;
console.log(cluster ? `started etcd for the tour at ${endpoints.join(", ")}` : `using ETCD_ENDPOINTS=${endpoints.join(",")}`);
try {
  const ctx = createTourContext(endpoints, (line) => console.log(line));
  for (const chapter of chapters) await chapter(ctx);
  console.log("tour complete");
} finally {
  await cluster?.stop();
}
