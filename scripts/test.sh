#!/usr/bin/env bash
# Installs what the tests need on a bare Debian machine, then runs every test.
# Run as root from the repository root: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "system packages: FRR, BIRD, GoBGP, iproute2, ping, tcpdump, Python venv"
need=()
for cmd in /usr/lib/frr/bgpd:frr bird:bird2 gobgpd:gobgpd ip:iproute2 ping:iputils-ping tcpdump:tcpdump python3:python3 openssl:openssl; do
  command -v "${cmd%%:*}" >/dev/null 2>&1 || [ -x "${cmd%%:*}" ] || need+=("${cmd##*:}")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
for cmd in /usr/lib/frr/bgpd /usr/sbin/bird /usr/bin/gobgpd; do
  [ -x "$cmd" ] || { echo "missing $cmd after install" >&2; exit 1; }
done

step "Python venv: official scaleway and ovh clients, pytest, schemathesis"
if [ ! -x .venv/bin/pytest ] || ! .venv/bin/python -c 'import scaleway, ovh, schemathesis' 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check scaleway ovh pytest schemathesis
fi

step "Node.js and npm, and the JavaScript clients of every package under tests/js (npm ci)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nodejs npm >/dev/null
fi
node --version
# Each package.json + package-lock.json under tests/js, installed exactly as locked.
find tests/js -name package-lock.json -not -path '*/node_modules/*' -print0 |
  while IFS= read -r -d '' lock; do
    (cd "$(dirname "$lock")" && npm ci --no-audit --no-fund --loglevel=error)
  done

step "cargo fmt"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "SDK conformance and end to end with FRR (pytest)"
cargo build -p peerlab --locked
cargo build -p topology --example customer_router --locked
# Any non-zero exit fails the script, including pytest's 5 (no tests collected).
.venv/bin/pytest -q tests/sdk

step "JavaScript clients against serve (node --test)"
# A missing package or binary fails these tests; none is skipped.
node --test tests/js/
