#!/usr/bin/env bash
# pyzmq's zmq.auth (ThreadAuthenticator: ZAP over PLAIN and CURVE) running on
# our libzmq, loaded into the interpreter with LD_PRELOAD so that the pyzmq
# wheel's calls reach it instead of the libzmq the wheel bundles.
#
#   tests/pyzmq/run.sh [LIBZMQ] [pytest args...]
#
# LIBZMQ defaults to target/release/libzmq.so (ours; run `cargo build
# --release` first); `tests/pyzmq/run.sh target/reference/lib/libzmq.so.5`
# runs the same test on the reference libzmq 4.3.5, which checks the test.
# The virtualenv target/pyzmq-venv (pyzmq and pytest from PyPI) is made on
# the first run and reused.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LIB=${1:-$REPO/target/release/libzmq.so}
[[ $# -gt 0 ]] && shift
[[ -f "$LIB" ]] || { echo "tests/pyzmq/run.sh: $LIB missing" >&2; exit 2; }
LIB=$(realpath "$LIB")

VENV=$REPO/target/pyzmq-venv
if [[ ! -x "$VENV/bin/pytest" ]] || ! "$VENV/bin/python" -c 'import zmq' 2>/dev/null; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check pyzmq pytest
fi
echo "pyzmq $("$VENV/bin/python" -c 'import zmq; print(zmq.pyzmq_version())') on $LIB"

# -p no:cacheprovider: nothing written into the source tree.
exec env LD_PRELOAD="$LIB" ZMQ_TEST_LIB="$LIB" \
    "$VENV/bin/python" -m pytest -p no:cacheprovider -q "$REPO/tests/pyzmq/test_auth.py" "$@"
