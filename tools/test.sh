#!/usr/bin/env bash
# The whole test suite: formatting and lints, unit tests (the perf harness's
# too), header/ABI/export
# checks, C-ABI programs, the install (tools/install.sh into a temporary
# prefix that pkg-config, CMake and cppzmq builds and the examples use),
# libzmq 4.3.5's own test suite against us, and the
# interop suite: our sockets against the reference libzmq 4.3.5 (built from
# the same zeromq-src sources; a second build with TLS for the wss rows) in
# another process, and pyzmq (the PyPI wheel in target/pyzmq-venv) running
# on our library via LD_PRELOAD: its zmq.auth, our usage tests and pyzmq's
# own test suite against tests/pyzmq/expected.txt. The differential step
# sends the same raw byte streams (handshakes cut at every byte, version
# fallbacks, bad mechanisms, oversize frames, garbage) to sockets of ours
# and of the reference and fails on any difference not explained in
# tests/differential/known-differences.txt. The fault tests
# (tests/faults/run.py) play the same faults (a peer killed in the middle of
# a 64 MiB message, a peer stopped with heartbeats on, a greeting one byte a
# second, the port squatted between reconnects, the link down in a network
# namespace) against our sockets and the reference's and fail when ours
# crashes, hangs, loses or splits a message, or ends in other events or
# states than libzmq's. Bounded runs of the
# coverage-guided fuzzers (tools/fuzz.sh, 5 s per target) and of valgrind
# memcheck over a fixed subset (tools/memcheck.sh --ci) come after the
# upstream suite, whose test programs memcheck reuses. The load tests
# (tests/load/run.py: 10,000 concurrent connections, 100,000
# connect/disconnect cycles, PUB to 1,000 SUBs with a slow one, upstream's
# shutdown_stress and many_sockets x 100, zmq_ctx_term timing) run on ours
# and on the reference side by side, so they come after the reference
# build; they fail only when ours breaks a bound (about 100 s).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cargo fetch --quiet
cargo fmt --all -- --check
(cd fuzz && cargo fmt -- --check)
cargo clippy --all-targets --quiet -- -D warnings
cargo clippy --lib --features fuzzing --quiet -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet   # the Rust API's docs build, no broken links
cargo test --quiet
python3 perf/test_run.py -q Unit   # the perf harness: parsing, ratios, summary, chart (seconds)
cargo build --release --quiet
tests/install/run.sh
python3 tests/upstream/run.py --keep-going
tools/memcheck.sh --ci
tools/fuzz.sh 5
tools/build-reference-libzmq.sh
# Fault tests (issue 11 part 6; needs the reference): a peer killed in a
# 64 MiB message, stopped with heartbeats on, a one-byte-a-second greeting,
# the port squatted between reconnects, lo down in a network namespace;
# ours and the reference under the same faults, compared (~1 min).
python3 tests/faults/run.py
tools/reference-tables.sh --check
tools/build-reference-libzmq.sh --tls
python3 tests/interop/run.py --no-reference-build
python3 tests/differential/test_run.py -q
python3 tests/differential/run.py
# Load tests, ours and the reference side by side; needs the reference
# above and reuses tests/upstream/build/bin from the upstream step.
python3 tests/load/test_run.py -q
python3 tests/load/run.py
tests/pyzmq/run.sh
