#!/usr/bin/env bash
# pyzmq on our libzmq: the PyPI wheel, with our library loaded into the
# interpreter by LD_PRELOAD so that the wheel's zmq_* calls reach it instead
# of the libzmq the wheel bundles. Two parts:
#
#   1. ours: test_auth.py (zmq.auth: ZAP over PLAIN and CURVE) and
#      test_usage.py (zero-copy sends, zmq.asyncio, ZMQStream, monitor,
#      threads, term and linger); every test must pass;
#   2. pyzmq's own test suite (tests/ of the sdist of the same version),
#      compared with expected.txt by suite.py: a listed pass that does not
#      pass is a regression.
#
# A plugin (zmqlib_check.py) first proves in each pytest process that the
# library under test is the one serving pyzmq, and records the outcomes.
#
#   tests/pyzmq/run.sh [--bundled] [--no-suite | --suite-only] [LIBZMQ] [pytest args...]
#
# LIBZMQ defaults to target/release/libzmq.so (ours; `cargo build --release`
# first); `tests/pyzmq/run.sh target/reference/lib/libzmq.so.5` runs it all
# on the reference libzmq 4.3.5. --bundled runs it on pyzmq's own bundled
# libzmq (no LD_PRELOAD): the suite is then only reported, to tell which
# failures and skips are environmental (see README.md). pytest args go to
# part 1. The virtualenv target/pyzmq-venv (requirements.txt) and the suite
# (target/pyzmq-suite) are made on the first run and reused.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$REPO/tests/pyzmq
PYZMQ_VERSION=27.3.0
PYZMQ_SDIST_SHA256=bbedb3d1d99babc625f1dd9d7438acefd442b36b75073fd6bc1ef7c0a4b96d56
SUITE_TIMEOUT=60        # per test of pyzmq's suite (its slowest takes ~7 s)

BUNDLED=0 OURS=1 SUITE=1 LIB=
while [[ $# -gt 0 ]]; do
    case $1 in
        --bundled) BUNDLED=1; shift ;;
        --no-suite) SUITE=0; shift ;;
        --suite-only) OURS=0; shift ;;
        -*) break ;;
        *) LIB=$1; shift; break ;;
    esac
done

# ---- the virtualenv ------------------------------------------------------------
VENV=$REPO/target/pyzmq-venv
PY=$VENV/bin/python
if ! cmp -s "$HERE/requirements.txt" "$VENV/requirements.txt" 2>/dev/null \
        || ! "$PY" -c 'import zmq, pytest' 2>/dev/null; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
    cp "$HERE/requirements.txt" "$VENV/requirements.txt"
fi
[[ $("$PY" -c 'import zmq; print(zmq.pyzmq_version())') == "$PYZMQ_VERSION" ]] \
    || { echo "tests/pyzmq/run.sh: the venv's pyzmq is not $PYZMQ_VERSION" >&2; exit 2; }

# ---- the library -----------------------------------------------------------------
if [[ $BUNDLED == 1 ]]; then
    [[ -z $LIB ]] || { echo "tests/pyzmq/run.sh: --bundled takes no LIBZMQ" >&2; exit 2; }
    LIB=$(echo "$VENV"/lib/python3*/site-packages/pyzmq.libs/libzmq-*.so*)
fi
LIB=${LIB:-$REPO/target/release/libzmq.so}
[[ -f "$LIB" ]] || { echo "tests/pyzmq/run.sh: $LIB missing" >&2; exit 2; }
LIB=$(realpath "$LIB")
PRELOAD=()
[[ $BUNDLED == 1 ]] || PRELOAD=(LD_PRELOAD="$LIB")
# zmq.has("wss"): 1 on ours, 0 on the wheel's libzmq (no TLS); not checked
# on another library.
WSS=
[[ $BUNDLED == 1 ]] && WSS=0
[[ $LIB == "$(realpath -m "$REPO/target/release/libzmq.so")" ]] && WSS=1
RUNENV=(env "${PRELOAD[@]}" ZMQ_TEST_LIB="$LIB" ZMQ_TEST_BUNDLED=$BUNDLED
        ZMQ_TEST_EXPECT_WSS=$WSS PYTHONPATH="$HERE" PYTHONDONTWRITEBYTECODE=1)
# -p no:cacheprovider: nothing written into the source tree; zmqlib_check:
# the serving check and the outcomes. `timeout`: a hang never holds CI.
PYTEST=(timeout --kill-after=10 900 "$PY" -m pytest -p no:cacheprovider -p zmqlib_check)
OUT=$REPO/target/pyzmq-out
mkdir -p "$OUT"
WHO=$([[ $BUNDLED == 1 ]] && echo bundled || echo preload)
echo "pyzmq $PYZMQ_VERSION on $LIB"

# ---- 1. our tests ------------------------------------------------------------------
OURS_JSON=$OUT/ours-$WHO.json
rm -f "$OURS_JSON"
status=0
if [[ $OURS == 1 ]]; then
    "${RUNENV[@]}" PYZMQ_OUTCOMES="$OURS_JSON" "${PYTEST[@]}" -q -rfE \
        "$HERE/test_auth.py" "$HERE/test_usage.py" "$@" || status=1
fi

# ---- 2. pyzmq's own suite ------------------------------------------------------------
if [[ $SUITE == 1 ]]; then
    SRC=$REPO/target/pyzmq-suite/pyzmq-$PYZMQ_VERSION
    if [[ ! -f $SRC/pytest.ini ]]; then
        DL=$REPO/target/pyzmq-suite/download
        rm -rf "$DL" "$SRC"
        mkdir -p "$DL" "$SRC"
        # The sdist by the ordinary client (only pyzmq as source: its build
        # requirements, needed for its metadata, come as wheels).
        "$VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps \
            --no-binary pyzmq "pyzmq==$PYZMQ_VERSION" -d "$DL"
        echo "$PYZMQ_SDIST_SHA256  $DL/pyzmq-$PYZMQ_VERSION.tar.gz" | sha256sum -c --quiet
        # Only tests/ and pytest.ini: the sdist's zmq/ must not shadow the wheel.
        tar xzf "$DL/pyzmq-$PYZMQ_VERSION.tar.gz" -C "$SRC" --strip-components=1 \
            "pyzmq-$PYZMQ_VERSION/tests" "pyzmq-$PYZMQ_VERSION/pytest.ini"
    fi
    SUITE_JSON=$OUT/suite-$WHO.json
    rm -f "$SUITE_JSON"
    mapfile -t DESELECT < <(python3 "$HERE/suite.py" deselect)
    start=$SECONDS
    (cd "$SRC" && "${RUNENV[@]}" PYZMQ_OUTCOMES="$SUITE_JSON" "${PYTEST[@]}" -q -rfE \
        --timeout=$SUITE_TIMEOUT --disable-warnings \
        "${DESELECT[@]/#/--deselect=}" tests) > "$OUT/suite-$WHO.log" 2>&1 || true
    echo "pyzmq's suite ($((SECONDS - start)) s; log in ${OUT#$REPO/}/suite-$WHO.log):"
    grep -E "^(libzmq serving|zmqlib_check|FAILED|ERROR)" "$OUT/suite-$WHO.log" || true
    tail -n 1 "$OUT/suite-$WHO.log"
    if [[ ! -f $SUITE_JSON ]]; then
        echo "tests/pyzmq/run.sh: pyzmq's suite did not run" >&2
        tail -n 20 "$OUT/suite-$WHO.log" >&2
        exit 1
    fi
    args=(compare "$SUITE_JSON")
    [[ $BUNDLED == 1 ]] && args+=(--report-only --label "pyzmq's bundled libzmq")
    [[ -f $OURS_JSON ]] && args+=(--must-pass "$OURS_JSON")
    python3 "$HERE/suite.py" "${args[@]}" || status=1
elif [[ $OURS == 1 ]]; then
    [[ $status == 0 ]] && echo "pyzmq: our tests passed (suite not run)"
fi
exit $status
