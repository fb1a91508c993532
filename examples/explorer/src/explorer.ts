/**
 * The keyspace explorer: a static page on etcdkit's gateway transport (no server of its own; etcd
 * must allow the page's origin with `--cors`). Browse keys by prefix one page at a time (all
 * pages at the revision of the first), open a key to see its value, version and revisions, edit
 * it with compare-and-swap (the write goes through only if nobody changed the key since it was
 * shown), and follow every change under the prefix in a live watch feed.
 *
 * @example
 * // bundle: esbuild examples/explorer/src/explorer.ts --bundle --format=esm --outfile=explorer.mjs
 * // open:   index.html?etcd=http://127.0.0.1:2379  (etcd --cors='*' or the page's origin)
 */
import { compare, createKV, op, type KV } from "@etcdkit/kv";
import { isEtcdError, type KeyValue } from "@etcdkit/transport";
import { createGatewayTransport, type EtcdGatewayTransport } from "@etcdkit/transport/gateway";
import { createWatch, type Watcher } from "@etcdkit/watch";
import { $, clear, element, setStatus } from "./dom.js";

const PAGE_SIZE = 10;

interface Session {
  readonly transport: EtcdGatewayTransport;
  readonly kv: KV;
  readonly watcher: Watcher;
}

let session: Session | undefined;
let pages: AsyncIterator<{ kvs: readonly KeyValue[]; revision: bigint }> | undefined;
let pageNumber = 0;
let selected: KeyValue | undefined;
let feed: AbortController | undefined;

async function connect(): Promise<void> {
  const endpoint = ($("endpoint") as HTMLInputElement).value.trim();
  await close();
  try {
    const transport = createGatewayTransport({ endpoints: [endpoint], timeoutMs: 10_000 });
    const kv = createKV(transport);
    const { revision, count } = await kv.getAll({ countOnly: true });
    session = { transport, kv, watcher: createWatch(transport) };
    setStatus($("connection"), `connected: ${count} keys, revision ${revision}`, "ok");
    await browse();
  } catch (err) {
    setStatus($("connection"), `cannot connect: ${describe(err)}`, "error");
  }
}

async function close(): Promise<void> {
  feed?.abort();
  const old = session;
  session = undefined;
  if (old !== undefined) {
    await old.watcher.close();
    await old.transport.close();
  }
}

async function browse(): Promise<void> {
  if (session === undefined) return;
  const prefix = ($("prefix") as HTMLInputElement).value;
  pages = prefix === ""
    ? session.kv.paginate("", { fromKey: true, pageSize: PAGE_SIZE })[Symbol.asyncIterator]()
    : session.kv.paginate(prefix, { prefix: true, pageSize: PAGE_SIZE })[Symbol.asyncIterator]();
  pageNumber = 0;
  await nextPage();
  startFeed(prefix);
}

async function nextPage(): Promise<void> {
  if (pages === undefined) return;
  const rows = $("keys");
  const next = await pages.next();
  clear(rows);
  const kvs = next.done ? [] : next.value.kvs;
  pageNumber++;
  for (const item of kvs) {
    const row = element("tr", { className: "row" }, [
      element("td", { className: "key", textContent: item.keyText() }),
      element("td", { textContent: String(item.version) }),
      element("td", { textContent: String(item.modRevision) }),
    ]);
    row.dataset["key"] = item.keyText();
    row.addEventListener("click", () => void open(item.keyText(), row));
    rows.append(row);
  }
  const full = kvs.length === PAGE_SIZE;
  ($("next") as HTMLButtonElement).disabled = !full;
  $("page").textContent = next.done ? "no keys" : `page ${pageNumber}, revision ${next.value.revision}${full ? "" : " (last)"}`;
}

async function open(key: string, row?: HTMLElement): Promise<void> {
  if (session === undefined) return;
  document.querySelectorAll("tr.selected").forEach((r) => r.classList.remove("selected"));
  row?.classList.add("selected");
  selected = await session.kv.get(key);
  const details = $("details");
  clear(details);
  const value = $("value") as HTMLTextAreaElement;
  setStatus($("save-status"), "", undefined);
  if (selected === undefined) {
    details.textContent = `${key} does not exist (any more).`;
    value.value = "";
    value.disabled = true;
    ($("save") as HTMLButtonElement).disabled = true;
    return;
  }
  const fields: Array<[string, string]> = [
    ["key", selected.keyText()],
    ["version", String(selected.version)],
    ["create revision", String(selected.createRevision)],
    ["mod revision", String(selected.modRevision)],
    ["lease", selected.lease === 0n ? "none" : selected.lease.toString(16)],
  ];
  details.append(element("dl", {}, fields.flatMap(([k, v]) => [element("dt", { textContent: k }), element("dd", { textContent: v })])));
  value.value = selected.text();
  value.disabled = false;
  ($("save") as HTMLButtonElement).disabled = false;
}

/** Writes the edited value only if the key is still at the revision shown (compare-and-swap). */
async function save(): Promise<void> {
  if (session === undefined || selected === undefined) return;
  const key = selected.keyText();
  const value = ($("value") as HTMLTextAreaElement).value;
  try {
    const result = await session.kv
      .txn()
      .if(compare.modRevision(key, "=", selected.modRevision))
      .then(op.put(key, value))
      .else(op.get(key))
      .commit();
    if (result.succeeded) {
      await open(key, document.querySelector(`tr[data-key="${CSS.escape(key)}"]`) as HTMLElement | undefined);
      setStatus($("save-status"), `saved at revision ${result.revision}`, "ok");
    } else {
      const now = (result.responses[0] as { kvs: readonly KeyValue[] }).kvs[0];
      setStatus($("save-status"), `not saved: ${key} changed since it was shown (now version ${now?.version ?? "deleted"}); reload it and try again`, "error");
    }
  } catch (err) {
    setStatus($("save-status"), `not saved: ${describe(err)}`, "error");
  }
}

function startFeed(prefix: string): void {
  feed?.abort();
  if (session === undefined) return;
  const controller = new AbortController();
  feed = controller;
  const list = $("feed");
  clear(list);
  $("watching").textContent = prefix === "" ? "(all keys)" : `(${prefix}…)`;
  const watch = prefix === ""
    ? session.watcher.watch("", { fromKey: true, prevKv: true, signal: controller.signal })
    : session.watcher.watch(prefix, { prefix: true, prevKv: true, signal: controller.signal });
  void (async () => {
    try {
      for await (const batch of watch) {
        for (const e of batch.events) {
          const text = e.type === "put" ? `${e.kv.keyText()} = ${e.kv.text()}` : e.kv.keyText();
          list.prepend(element("li", { className: e.type, textContent: `rev ${e.kv.modRevision}  ${e.type.toUpperCase()}  ${text}` }));
        }
      }
    } catch (err) {
      if (!controller.signal.aborted) list.prepend(element("li", { className: "delete", textContent: `watch ended: ${describe(err)}` }));
    }
  })();
}

function describe(err: unknown): string {
  return isEtcdError(err) ? `${err.reason}: ${err.rawMessage}` : String(err);
}

($("endpoint") as HTMLInputElement).value = new URLSearchParams(location.search).get("etcd") ?? "http://127.0.0.1:2379";
$("connect").addEventListener("click", () => void connect());
$("browse").addEventListener("submit", (event) => {
  event.preventDefault();
  void browse();
});
$("next").addEventListener("click", () => void nextPage());
$("save").addEventListener("click", () => void save());
