#!/usr/bin/env bash
# Installs what the tests need on a bare Debian machine, then runs every test.
# Run as root from the repository root: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "system packages: FRR, BIRD, GoBGP, HAProxy, iproute2, ping, tcpdump, Graphviz, bgpdump, tshark, Python venv, Node.js and npm"
need=()
for cmd in /usr/lib/frr/bgpd:frr bird:bird2 gobgpd:gobgpd /usr/sbin/haproxy:haproxy ip:iproute2 ping:iputils-ping tcpdump:tcpdump dot:graphviz bgpdump:bgpdump tshark:tshark python3:python3 openssl:openssl node:nodejs npm:npm; do
  command -v "${cmd%%:*}" >/dev/null 2>&1 || [ -x "${cmd%%:*}" ] || need+=("${cmd##*:}")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
for cmd in /usr/lib/frr/bgpd /usr/sbin/bird /usr/bin/gobgpd /usr/sbin/haproxy /usr/bin/dot /usr/bin/bgpdump /usr/bin/tshark; do
  [ -x "$cmd" ] || { echo "missing $cmd after install" >&2; exit 1; }
done
for cmd in node npm; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "missing $cmd after install" >&2; exit 1; }
done

step "Python venv: official scaleway and ovh clients, pytest, schemathesis"
if [ ! -x .venv/bin/pytest ] || ! .venv/bin/python -c 'import scaleway, ovh, schemathesis' 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check scaleway ovh pytest schemathesis
fi

step "JavaScript clients: the official SDKs from tests/js/package-lock.json (npm ci)"
npm ci --prefix tests/js --no-audit --no-fund

step "cargo fmt"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "SDK conformance and end to end with FRR (pytest)"
cargo build -p peerlab --locked
cargo build -p linux --example customer_router --locked
# Any non-zero exit fails the script, including pytest's 5 (no tests collected).
.venv/bin/pytest -q tests/sdk

step "JavaScript SDK against peerlab serve (node --test)"
# A missing binary or package fails the run; node's runner exits non-zero on any failure.
node --test tests/js/
