#!/usr/bin/env bash
# valgrind memcheck over the project's own tests and libzmq's test suite:
# the C-ABI programs of tests/c, the library's unit tests, and the
# upstream tests (tests/upstream/run.py --wrapper), every process with
# --leak-check=full. Fails on any memcheck error (invalid read or write,
# undefined value used, bad free, ...) and on any byte definitely lost at
# exit (after zmq_ctx_term in the C programs and upstream tests); see
# tools/memcheck_report.py for the one exception (forked children) and
# tools/memcheck.supp for what is suppressed (only code that is not ours).
#
#   tools/memcheck.sh          # everything (about 15 minutes on 2 cores)
#   tools/memcheck.sh --ci     # the fixed subset CI runs (under 3 minutes)
#
# Logs: target/memcheck/ (C and Rust) and tests/upstream/build/run/<test>/.
set -euo pipefail
cd "$(dirname "$0")/.."

ci=0
[ "${1:-}" = --ci ] && ci=1

# The subset: the C programs, the sans-IO engine, the ws layer and the
# data structures under them, and upstream tests that cover every
# transport, mechanism, ZAP, monitors, proxies and the draft types in
# about a minute. Not test_ws_transport: its test_heartbeat gives the
# heartbeat 10 ms with reconnection off, which valgrind's slowdown on a
# loaded machine often misses (the connection drops and the test waits
# forever, as it would on libzmq); the full run keeps it.
ci_rust=(zmtp:: msg:: pipe:: routing:: util:: transport::ws)
ci_upstream=test_security_curve,test_security_plain,test_security_null,test_wss_transport,test_pair_tcp,test_pair_ipc,test_reqrep_inproc,test_sub_forward,test_xpub_manual,test_monitor,test_proxy_hwm,test_channel,test_client_server,test_hello_msg,test_getsockopt_memset,test_msg_ffn,test_ctx_destroy,test_stream,test_socks,test_radio_dish,test_spec_router

tools/deps.sh
out=target/memcheck
rm -rf "$out"
mkdir -p "$out/c" "$out/rust"
vg=(valgrind --tool=memcheck --error-exitcode=99 --num-callers=40
    --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=none
    --suppressions="$PWD/tools/memcheck.supp")

cargo build --release --quiet

echo "memcheck: C-ABI programs (tests/c)"
for src in tests/c/*.c; do
    name=$(basename "$src" .c)
    case $name in
    # Needs its DNS stub in private namespaces (tests/resolver.rs).
    slow_dns) continue ;;
    # Fills the descriptor table under a lowered RLIMIT_NOFILE, which
    # valgrind's own descriptors upset (its memcheck run is clean, but the
    # program's checks fail).
    accept_emfile) continue ;;
    esac
    cc -std=gnu99 -Wall -Wextra -Werror -DZMQ_BUILD_DRAFT_API -DEXPECT_DRAFT=1 \
        -Iinclude "$src" -o "$out/c/$name" -Ltarget/release \
        -Wl,-rpath,"$PWD/target/release" -lzmq
    # The program's own verdict counts too: it exits non-zero on a failed check.
    "${vg[@]}" --log-file="$out/c/$name.vg.%p" "$out/c/$name" >/dev/null ||
        echo "  $name exited with $?"
done

echo "memcheck: the library's unit tests"
lib_tests=$(cargo test --quiet --no-run --lib --message-format=json 2>/dev/null |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "zmq":
        print(m["executable"])')
filters=()
((ci)) && filters=("${ci_rust[@]}")
# A test failing on time under valgrind is shown (its name, indented,
# from the harness's list of failures); memcheck's verdict decides.
"${vg[@]}" --log-file="$out/rust/lib.vg.%p" "$lib_tests" --test-threads=2 -q \
    "${filters[@]}" | grep -E '^test result|^    [[:alnum:]_:]+$' || true

echo "memcheck: libzmq's test suite (tests/upstream)"
rm -f tests/upstream/build/run/*/vg.*.log
only=()
((ci)) && only=(--only "$ci_upstream")
# Timeouts for valgrind's slowdown; a test failing on time is reported
# by the runner but only memcheck's verdict decides here.
python3 tests/upstream/run.py --keep-going --timeout 300 --slow-timeout 600 \
    "${only[@]}" --wrapper "${vg[*]} --log-file=vg.%p.log" | tail -3 || true

python3 tools/memcheck_report.py c="$out/c" rust="$out/rust" \
    upstream=tests/upstream/build/run
