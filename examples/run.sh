#!/usr/bin/env bash
# Builds the examples with examples/Makefile (flags from pkg-config, so
# against whichever libzmq PKG_CONFIG_PATH finds: an installed one) into
# OUTDIR, then runs each pattern, all its parts as separate processes over
# ipc:// endpoints in a temporary directory, and checks what they print:
#
#   PKG_CONFIG_PATH=DIR/lib/pkgconfig examples/run.sh OUTDIR
#
# Every process runs under `timeout`, so a hang fails instead of blocking
# CI. Prints "examples: N passed" at the end; exits non-zero on the first
# failure, with the parts' output.
set -euo pipefail
EXAMPLES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:?usage: examples/run.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
make --no-print-directory -s -f "$EXAMPLES/Makefile" -C "$OUT" CFLAGS="-O2 -Wall -Wextra -Werror"

RUN=$(mktemp -d)
PIDS=()
cleanup() {
    # Anything still running after a failure: stop it, keep nothing.
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$RUN"
}
trap cleanup EXIT

PASSED=0
fail() {
    echo "examples: FAIL: $1" >&2
    for f in "$RUN"/*.out; do
        [[ -e "$f" ]] && { echo "--- ${f##*/}" >&2; cat "$f" >&2; }
    done
    exit 1
}
pass() { PASSED=$((PASSED + 1)); echo "examples: ok: $1"; }
# start NAME PROG ARGS...: a part in the background, its output in NAME.out.
start() {
    local name=$1
    shift
    timeout 60 "$OUT/$@" >"$RUN/$name.out" 2>&1 &
    PIDS+=($!)
    eval "PID_$name=$!"
}
# finish NAME: wait for a part; fails unless it exited 0.
finish() {
    local pid
    eval "pid=\$PID_$1"
    wait "$pid" || fail "$1 exited with $?"
}
# run NAME PROG ARGS...: a part in the foreground; fails unless it exits 0.
run() {
    local name=$1
    shift
    timeout 60 "$OUT/$@" >"$RUN/$name.out" 2>&1 || fail "$name exited with $?"
}
# running PID: not exited yet (an exited child stays a zombie until waited for).
running() { [[ -e /proc/$1/stat && "$(cut -d' ' -f3 "/proc/$1/stat")" != Z ]]; }
# stop NAME...: SIGTERM to parts that run until interrupted, repeated every
# 0.1 s: a signal that lands while a part is between two blocking calls is
# only noticed by the next one (the zguide's interrupt handling has the same
# window), then wait for each to exit 0.
stop() {
    local name pid
    for name in "$@"; do
        eval "pid=\$PID_$name"
        for _ in $(seq 100); do
            running "$pid" || break
            kill -TERM "$pid" 2>/dev/null || break
            sleep 0.1
        done
        finish "$name"
    done
}
# wait_for NAME PATTERN: until a background part has printed PATTERN (30 s).
wait_for() {
    for _ in $(seq 300); do
        grep -q -- "$2" "$RUN/$1.out" && return 0
        sleep 0.1
    done
    fail "$1 did not print '$2'"
}
has() { grep -q -- "$2" "$RUN/$1.out" || fail "$1 did not print '$2'"; }

# hello: REQ/REP and PUB/SUB over inproc, in one process.
run hello hello
has hello '^ok$'
pass "hello"

# Hello world: REQ client, REP server.
start hwserver hwserver "ipc://$RUN/hw.ipc" 5
run hwclient hwclient "ipc://$RUN/hw.ipc" 5
finish hwserver
has hwclient 'Received World 4'
has hwserver 'Received Hello 4'
pass "hwserver + hwclient (REQ/REP)"

# Weather: PUB server, SUB client with a zip code filter; the server stops on
# SIGTERM (the 60 s bound is only a safety net).
start wuserver wuserver "ipc://$RUN/weather.ipc" 60
run wuclient wuclient "ipc://$RUN/weather.ipc" 10001 20
stop wuserver
has wuclient "Average temperature for zipcode '10001' was"
has wuserver 'Published [0-9]* updates'
pass "wuserver + wuclient (PUB/SUB, filtered)"

# Divide and conquer: ventilator, two workers, sink; the sink's KILL over
# PUB/SUB stops the workers.
start tasksink tasksink "ipc://$RUN/sink.ipc" "ipc://$RUN/control.ipc" 40
start worker1 taskwork "ipc://$RUN/tasks.ipc" "ipc://$RUN/sink.ipc" "ipc://$RUN/control.ipc"
start worker2 taskwork "ipc://$RUN/tasks.ipc" "ipc://$RUN/sink.ipc" "ipc://$RUN/control.ipc"
# Workers that start late (a loaded machine) would miss the KILL.
wait_for worker1 'ready'
wait_for worker2 'ready'
run taskvent taskvent "ipc://$RUN/tasks.ipc" "ipc://$RUN/sink.ipc" 40
finish tasksink
finish worker1
finish worker2
has tasksink 'Collected 40 results'
done_tasks=$(cat "$RUN/worker1.out" "$RUN/worker2.out" | sed -n 's/.* did \([0-9]*\) tasks/\1/p' | awk '{ s += $1 } END { print s + 0 }')
[[ "$done_tasks" == 40 ]] || fail "the workers did $done_tasks tasks, not 40"
pass "taskvent + 2 taskwork + tasksink (PUSH/PULL, PUB/SUB control)"

# Broker: REQ client -> ROUTER | zmq_proxy | DEALER -> two REP workers; the
# broker and the workers stop on SIGTERM (EINTR out of zmq_proxy/zmq_recv).
start rrbroker rrbroker "ipc://$RUN/frontend.ipc" "ipc://$RUN/backend.ipc"
start rrworker1 rrworker "ipc://$RUN/backend.ipc" A
start rrworker2 rrworker "ipc://$RUN/backend.ipc" B
run rrclient rrclient "ipc://$RUN/frontend.ipc" 10
stop rrworker1 rrworker2 rrbroker
has rrclient 'Received reply 9 \[World from [AB]\]'
answered=$(cat "$RUN/rrworker1.out" "$RUN/rrworker2.out" | sed -n 's/.* answered \([0-9]*\) requests.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
[[ "$answered" == 10 ]] || fail "the workers answered $answered requests, not 10"
has rrbroker 'Proxy stopped: Interrupted system call'
pass "rrbroker + 2 rrworker + rrclient (ROUTER/DEALER, zmq_proxy)"

# CURVE: the server lets in the client whose key it was given and no other.
run keygen curvekeygen "$RUN/server"
run keygen curvekeygen "$RUN/client"
start curveserver curveserver "ipc://$RUN/curve.ipc" 3 "$RUN/server.key" "$RUN/client.pub"
if timeout 60 "$OUT/curveclient" "ipc://$RUN/curve.ipc" 1 "$RUN/server.pub" >"$RUN/stranger.out" 2>&1; then
    fail "a client with an unknown key got a reply"
fi
run curveclient curveclient "ipc://$RUN/curve.ipc" 3 "$RUN/server.pub" "$RUN/client"
finish curveserver
has stranger 'No reply within 3 s'
has curveclient 'Received World 2'
has curveserver 'ZAP: refused a CURVE client'
has curveserver 'Received Hello from trusted-client'
pass "curvekeygen + curveserver + curveclient (CURVE REQ/REP, ZAP)"

echo "examples: $PASSED passed"
