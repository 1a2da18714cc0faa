#!/usr/bin/env bash
# The "full table" benchmark (issue 3): peerlab, BIRD and FRR receiving 1,000,000 IPv4 routes
# from a BIRD source and from peerlab's fast speaker, then the scaling series (100k–1M).
#
# Builds the example in release, runs it as root and prints a markdown report on stdout
# (progress on stderr). Arguments go to the benchmark; see `--help`, for instance:
#
#   scripts/bench-full-table.sh --routes 200000 --sizes 50000,100000 --repeat 1
#
# The benchmark cleans up after itself (namespaces, daemons, temporary directories), also on
# Ctrl-C; should it die anyway, the trap below kills what still runs in its namespaces
# (pl-PID-*) and deletes them.
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
    echo "bench-full-table: needs root (network namespaces)" >&2
    exit 1
fi
for binary in /usr/sbin/bird /usr/sbin/birdc /usr/lib/frr/zebra /usr/lib/frr/bgpd /usr/bin/vtysh; do
    if [[ ! -x $binary ]]; then
        echo "bench-full-table: $binary is missing (apt-get install -y bird2 frr)" >&2
        exit 1
    fi
done

cargo build --release -p engine --example full_table >&2
bench=target/release/examples/full_table

pid=""
cleanup() {
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    [[ -n $pid ]] || return 0
    # Leftovers of a benchmark that could not clean up: its namespaces are pl-PID-N-LABEL.
    local ns
    for ns in $(ip netns list | awk -v prefix="pl-$pid-" 'index($1, prefix) == 1 { print $1 }'); do
        ip netns pids "$ns" | xargs -r kill -KILL 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, ${cpu}, $(free -g | awk '/^Mem:/ { print $2 }') GiB, Linux $(uname -r)"
echo "- Receivers: peerlab $(git rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree), $(bird --version 2>&1 | head -1), FRR $(/usr/lib/frr/bgpd --version 2>&1 | awk '/version/ { print $NF; exit }')"
echo "- Command: scripts/bench-full-table.sh $*"
echo "- Load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# Field 9 of the cpu line of /proc/stat: time stolen by the hypervisor, in clock ticks.
steal() { awk '/^cpu / { print $9 }' /proc/stat; }
steal_before=$(steal)
started=$(date +%s)

"$bench" "$@" &
pid=$!
status=0
wait "$pid" || status=$?

hz=$(getconf CLK_TCK)
echo "- Load average after the run: $(cut -d' ' -f1-3 /proc/loadavg); run time $(($(date +%s) - started)) s; CPU steal during the run: $(((($(steal) - steal_before) + hz / 2) / hz)) s"
exit "$status"
