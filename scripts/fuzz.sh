#!/usr/bin/env bash
# Fuzzes bgp-wire and the topology file parser with cargo-fuzz (see fuzz/README.md).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 60 s, every target
#
# 1. regenerates the seed corpora fuzz/seeds/<target>/ from the encoder and crates/bgp-wire/tests/golden/*.hex
#    (the topology target's seeds are the files of topologies/);
# 2. builds the targets (sanitizer: $FUZZ_SANITIZER, default none; "address" works too);
# 3. runs each target for SECONDS with fuzz/corpus/<target> (kept between runs, not committed)
#    plus the seeds, -rss_limit_mb=2048, and prints a summary per target.
# Exits 1 if any target crashed (inputs in fuzz/artifacts/<target>/), 2 if it could not run.
# Logs: fuzz/target/fuzz-logs/<target>.log.
set -uo pipefail

secs=${1:-60}
shift || true
case $secs in '' | *[!0-9]*) echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2 ;; esac
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(open update notification route_refresh keepalive message topology)
sanitizer=${FUZZ_SANITIZER:-none}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz=$root/fuzz
# cargo-fuzz passes nightly-only flags (-Z, -C passes=sancov-module); this lets the stable
# toolchain accept them.
export RUSTC_BOOTSTRAP=1

command -v cargo-fuzz >/dev/null || {
  echo "cargo-fuzz is missing: cargo install cargo-fuzz" >&2
  exit 2
}
cd "$fuzz" || exit 2

echo "== seeds"
cargo run --quiet --example make_seeds -- "$fuzz/seeds" "$root/crates/bgp-wire/tests/golden" || exit 2

echo "== build (sanitizer: $sanitizer)"
cargo fuzz build -s "$sanitizer" || exit 2

logs=$fuzz/target/fuzz-logs
mkdir -p "$logs"
failed=0
rows=()
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  before=$(ls "artifacts/$t")
  echo "== $t: ${secs}s"
  seeds=$fuzz/seeds/$t dict=$fuzz/bgp.dict
  if [ "$t" = topology ]; then seeds=$root/topologies dict=$fuzz/topology.dict; fi
  cargo fuzz run -s "$sanitizer" "$t" "$fuzz/corpus/$t" "$seeds" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65537 -timeout=10 \
    -dict="$dict" -print_final_stats=1 >"$logs/$t.log" 2>&1
  rc=$?
  new=$(comm -13 <(echo "$before") <(ls "artifacts/$t") | grep -v '^$')
  log=$logs/$t.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+[[:space:]]+(INITED|NEW|REDUCE|pulse|DONE)' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  crashes=$(grep -c . <<<"$new")
  if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    failed=1
    echo "   CRASH (exit $rc): see $log"
    grep -m3 -E "panicked at|^SUMMARY|Test unit written to" "$log" | sed 's/^/   /'
    for a in $new; do echo "   artifacts/$t/$a: $(od -An -tx1 -v "artifacts/$t/$a" | tr -d ' \n' | cut -c1-200)"; done
  fi
  rows+=("$(printf '%-14s %12s %10s %7s %7s %7s %8s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes")")
done

echo
echo "== summary (${secs}s per target, sanitizer $sanitizer)"
printf '%-14s %12s %10s %7s %7s %7s %8s\n' target execs exec/s cov ft corpus crashes
printf '%s\n' "${rows[@]}"
if [ "$failed" -ne 0 ]; then
  echo "crashes found: reproduce with RUSTC_BOOTSTRAP=1 cargo fuzz run -s $sanitizer TARGET fuzz/artifacts/TARGET/FILE (from fuzz/)"
  exit 1
fi
