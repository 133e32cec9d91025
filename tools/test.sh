#!/usr/bin/env bash
# The whole test suite: formatting and lints, unit tests, header/ABI/export
# checks, C-ABI programs, and libzmq 4.3.5's own test suite against us.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cargo fetch --quiet
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --quiet
cargo build --release --quiet
python3 tests/upstream/run.py --keep-going
