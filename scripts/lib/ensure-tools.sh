# Shared by scripts/test.sh and scripts/demo.sh: install what a fresh Debian machine with
# only Node.js and npm lacks. Source it, then call the functions.

# pnpm 10 (Corepack is not used: it needs registry signatures this setup may lack).
ensure_pnpm() {
  if ! command -v pnpm >/dev/null 2>&1; then
    echo "etcdkit: installing pnpm@10 (npm install -g pnpm@10)"
    npm install -g pnpm@10 >/dev/null
  fi
}

# etcd and etcdctl (Debian: etcd-server, etcd-client), and with --with-sources also the
# etcd 3.4 source tree that the proto sync test reads (golang-etcd-server-dev).
ensure_etcd() {
  local want_sources="${1:-}"
  local packages=()
  if [ -z "${ETCD_BIN:-}" ] && ! command -v etcd >/dev/null 2>&1; then packages+=(etcd-server); fi
  if [ -z "${ETCDCTL_BIN:-}" ] && ! command -v etcdctl >/dev/null 2>&1; then packages+=(etcd-client); fi
  if [ "$want_sources" = "--with-sources" ] && [ ! -f /usr/share/gocode/src/go.etcd.io/etcd/etcdserver/etcdserverpb/rpc.proto ]; then
    packages+=(golang-etcd-server-dev)
  fi
  if [ "${#packages[@]}" -eq 0 ]; then return 0; fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "etcdkit: missing ${packages[*]}. Install them (Debian: sudo apt-get install -y ${packages[*]})," >&2
    echo "         or point ETCD_BIN / ETCDCTL_BIN at etcd 3.4+ binaries." >&2
    return 1
  fi
  echo "etcdkit: installing ${packages[*]} with apt-get"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}

# Chromium for the browser tests (Debian's chromium package: /usr/bin/chromium). Bun, Deno and
# workerd need nothing here: their binaries come with `pnpm install` (devDependencies whose
# platform packages carry them; no install scripts run). CHROMIUM_BIN points at another build.
ensure_chromium() {
  if [ -n "${CHROMIUM_BIN:-}" ] || command -v chromium >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "etcdkit: missing chromium. Install it (Debian: sudo apt-get install -y chromium)," >&2
    echo "         or point CHROMIUM_BIN at a Chromium or Chrome binary." >&2
    return 1
  fi
  echo "etcdkit: installing chromium with apt-get"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
}
