#!/usr/bin/env bash
# `npm test`: from a fresh clone on Debian with only Node.js and npm, install what is
# missing (pnpm, dependencies with the Bun, Deno and workerd binaries, etcd, Chromium), check
# gen/ is current, build, and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-tools.sh

ensure_pnpm
ensure_etcd --with-sources
ensure_chromium
echo "== install"
pnpm install --frozen-lockfile
echo "== gen/ is current against proto/"
pnpm generate --check
echo "== build"
pnpm build
echo "== package lint (publint: exports, types, files)"
pnpm lint:packages >/dev/null
echo "== package types (attw --profile esm-only on packed tarballs)"
pnpm lint:types
echo "== typecheck"
pnpm typecheck
echo "== API reference (TypeDoc into docs/api/; any warning fails)"
pnpm run docs --logLevel Warn
echo "== bundle sizes"
pnpm size
echo "== tests (vitest, real etcd)"
mkdir -p .etcdkit-tmp
report=.etcdkit-tmp/vitest-report.json
run_tests() {
  rm -f "$report"
  status=0
  pnpm vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=$?
}
run_tests
# vitest writes its report whenever the tests ran, failed or not. No report means the runner itself
# died (its main process lost a fork worker: "ERR_IPC_CHANNEL_CLOSED"), not that a test failed:
# the suite runs once more, and a second death fails the run.
if [ ! -f "$report" ]; then
  echo "== vitest died before writing its report (no test result); running the suite once more"
  run_tests
fi
# One plain closing line with the counts, for humans and CI logs alike.
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" || true
exit "$status"
