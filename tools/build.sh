#!/usr/bin/env bash
# Builds libzmq.so (SONAME libzmq.so.5) and libzmq.a into target/release,
# then compiles examples/hello.c against include/zmq.h and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cargo build --release
cc examples/hello.c -Iinclude -Ltarget/release -lzmq -o target/release/hello
LD_LIBRARY_PATH=target/release target/release/hello
echo "Built: $(pwd)/target/release/libzmq.so and libzmq.a (pkg-config: pkgconfig/libzmq.pc)"
