// A CommonJS application using etcdkit installed from packed tarballs: it require()s every public
// entry point given on the command line, then puts and gets a key through the `etcdkit` client.
// usage: node app.cjs <endpoint> <specifier>...
"use strict";
const [endpoint, ...specifiers] = process.argv.slice(2);

const exportsBySpecifier = {};
for (const specifier of specifiers) exportsBySpecifier[specifier] = Object.keys(require(specifier)).length;

const { createClient } = require("etcdkit");
const { createKV } = require("@etcdkit/kv");
const { createTransport, isEtcdError } = require("@etcdkit/transport");

async function main() {
  const client = createClient({ endpoints: [endpoint] });
  try {
    const put = await client.kv.put("consumer/cjs", "required");
    const { kv: got } = await client.kv.get("consumer/cjs");
    const transport = createTransport({ endpoints: [endpoint] });
    const { kv: again } = await createKV(transport).get("consumer/cjs");
    await transport.close();
    let emptyKey = "accepted";
    try {
      await client.kv.put("", "x");
    } catch (err) {
      emptyKey = isEtcdError(err) ? err.reason : String(err);
    }
    console.log(
      JSON.stringify({
        exportsBySpecifier,
        value: got && got.text(),
        sameRevision: got !== undefined && again !== undefined && got.modRevision === put.revision && again.modRevision === put.revision,
        emptyKey,
      }),
    );
  } finally {
    await client.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
