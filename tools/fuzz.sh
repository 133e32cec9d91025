#!/usr/bin/env bash
# Coverage-guided fuzzing on the stable toolchain: builds the libFuzzer
# targets of fuzz/ (libfuzzer-sys, pinned in fuzz/Cargo.toml, compiles
# libFuzzer with the C++ compiler tools/deps.sh installs; rustc's stable
# sanitizer-coverage flags instrument the Rust code, as `cargo fuzz
# --sanitizer none` would) and runs each target for SECONDS (default 60).
#
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Each run starts from fuzz/corpus/<target>/ (the checked-in seeds and
# every crashing input found so far, so each run first replays them) plus
# the inputs earlier runs found, kept in target/fuzz/corpus/<target>/.
# Fails on any crash, hang (an input running over FUZZ_TIMEOUT seconds,
# default 10) or out-of-memory; the input is left in
# target/fuzz/artifacts/<target>/. Prints per target the executions and
# libFuzzer's coverage: `cov` (edges, i.e. covered inline 8-bit
# counters) and `ft` (features: edges with hit-count buckets).
# FUZZ_JOBS=N runs N targets at once (default 1). `tools/fuzz.sh
# --build-only` just builds.
set -euo pipefail
cd "$(dirname "$0")/.."

build_only=0
if [ "${1:-}" = --build-only ]; then
    build_only=1
    shift
fi
seconds=${1:-60}
shift || true
all=(greeting decoder engine engine_pair zap_reply ws_server ws_client socks udp z85 trie setsockopt)
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")
timeout_s=${FUZZ_TIMEOUT:-10}
jobs=${FUZZ_JOBS:-1}

tools/deps.sh
triple=$(rustc -vV | sed -n 's/^host: //p')
out=target/fuzz
# Only the target triple's crates get the flags (not build scripts or
# proc macros); `--cfg fuzzing` as cargo fuzz sets it.
export RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing"
cargo build --quiet --release --locked --manifest-path fuzz/Cargo.toml \
    --target "$triple" --target-dir "$out"
bin=$out/$triple/release
((build_only)) && exit 0

run_one() {
    local t=$1 log=$out/logs/$1.log
    mkdir -p "$out/corpus/$t" "$out/artifacts/$t" "$out/logs"
    local rc=0
    # Exit codes: 0 done; anything else is a crash, a timeout or an OOM.
    "$bin/$t" "$out/corpus/$t" "fuzz/corpus/$t" \
        -max_total_time="$seconds" -timeout="$timeout_s" -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" \
        >"$log" 2>&1 || rc=$?
    local execs cov ft
    # A run that died at once printed none of these.
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)
    if ((rc)); then
        printf '%-12s FAILED (exit %d), see %s:\n' "$t" "$rc" "$log"
        grep -E 'panicked|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | head -5
        return 1
    fi
    printf '%-12s %12s execs  cov %5s  ft %6s  crashes 0  hangs 0\n' \
        "$t" "${execs:-0}" "${cov:-0}" "${ft:-0}"
}

echo "fuzzing ${#targets[@]} targets, ${seconds}s each, $jobs at a time"
failed=0
pids=()
names=()
for t in "${targets[@]}"; do
    [ -x "$bin/$t" ] || { echo "no such target: $t"; exit 2; }
    run_one "$t" >"$out/$t.summary" 2>&1 &
    pids+=($!)
    names+=("$t")
    if ((${#pids[@]} >= jobs)); then
        wait "${pids[0]}" || failed=1
        cat "$out/${names[0]}.summary"
        pids=("${pids[@]:1}")
        names=("${names[@]:1}")
    fi
done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed=1
    cat "$out/${names[$i]}.summary"
done
if ((failed)); then
    echo "fuzz: FAILED"
    exit 1
fi
echo "fuzz: ${#targets[@]} targets, 0 crashes, 0 hangs"
