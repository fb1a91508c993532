#!/usr/bin/env bash
# `npm run demo`: the tour. Uses ETCD_ENDPOINTS when set, otherwise starts its own etcd
# in a temporary directory and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-tools.sh

ensure_pnpm
if [ -z "${ETCD_ENDPOINTS:-}" ]; then ensure_etcd; fi
if [ ! -d node_modules ]; then pnpm install --frozen-lockfile >/dev/null; fi
exec pnpm --silent --filter @etcdkit/examples tour
