#!/usr/bin/env bash
# Build the reference libzmq 4.3.5 (shared + static) from the zeromq-src
# 0.3.6+4.3.5 crate's vendored sources with cmake, into target/reference/:
#
#   target/reference/lib/libzmq.so.5      the library (SONAME libzmq.so.5)
#   target/reference/include/zmq.h        upstream's header
#   target/reference/bin/                 upstream perf tools (local_thr, ...)
#   target/reference/platform.hpp         the platform.hpp cmake generated
#
# Configuration: drafts ON (with ws and the radix tree, as upstream's drafts
# default), CURVE via the system libsodium, TLS/WSS OFF, libbsd OFF, TIPC OFF
# (cmake would turn it on wherever the kernel has the module; the project's
# reference build has no TIPC), docs and tests OFF, Release. The vendor tree is copied to target/reference-build/
# first; nothing is written under ~/.cargo.
#
# --tls builds a second reference with wss (WITH_TLS=ON over Debian's
# GnuTLS, libgnutls28-dev) into target/reference-tls/ instead, for the wss
# interop rows; everything else is the same.
#
# Idempotent: does nothing when a build with the same configuration is
# already installed. --force rebuilds. JOBS (default 2) sets the build
# parallelism. On a shared machine wrap the call in the build lock:
#   flock /tmp/zmq-build.lock tools/build-reference-libzmq.sh
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$REPO/target/reference"
SCRATCH="$REPO/target/reference-build"
JOBS=${JOBS:-2}
FORCE=0
TLS=OFF
for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        --tls) TLS=ON; OUT="$REPO/target/reference-tls"; SCRATCH="$REPO/target/reference-tls-build" ;;
        *) echo "usage: $0 [--force] [--tls]" >&2; exit 2 ;;
    esac
done

CMAKE_ARGS=(
    -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_INSTALL_PREFIX="$OUT"
    -DCMAKE_INSTALL_LIBDIR=lib
    -DENABLE_DRAFTS=ON
    -DENABLE_WS=ON
    -DENABLE_RADIX_TREE=ON
    -DWITH_TLS=$TLS
    -DWITH_NSS=OFF
    -DWITH_LIBBSD=OFF
    -DZMQ_HAVE_TIPC=OFF
    -DENABLE_CURVE=ON
    -DWITH_LIBSODIUM=ON
    -DWITH_DOCS=OFF
    -DWITH_DOC=OFF
    -DBUILD_TESTS=OFF
    -DBUILD_SHARED=ON
    -DBUILD_STATIC=ON
    -DWITH_PERF_TOOL=ON
    -DENABLE_CPACK=OFF
    -DENABLE_PRECOMPILED=OFF
)
# The stamp records the configuration, so changing it above forces a rebuild.
STAMP_TEXT="zeromq-src 0.3.6+4.3.5 ${CMAKE_ARGS[*]}"
STAMP="$OUT/.reference-build-stamp"

die() { echo "build-reference-libzmq: $*" >&2; exit 1; }

already_built() {
    [[ $FORCE == 0 && -f "$STAMP" && -e "$OUT/lib/libzmq.so.5" \
        && -f "$OUT/include/zmq.h" && "$(cat "$STAMP")" == "$STAMP_TEXT" ]]
}

find_vendor() {
    local cargo_home=${CARGO_HOME:-$HOME/.cargo} d
    for d in "$cargo_home"/registry/src/*/zeromq-src-0.3.6+4.3.5/vendor; do
        [[ -f "$d/CMakeLists.txt" ]] && { echo "$d"; return; }
    done
    die "zeromq-src 0.3.6+4.3.5 not found under $cargo_home/registry/src; run 'cargo fetch' in $REPO"
}

# Install missing build prerequisites with apt-get when root, else explain.
ensure_prereqs() {
    local missing=()
    command -v cmake >/dev/null || missing+=(cmake)
    command -v make >/dev/null || missing+=(make)
    command -v g++ >/dev/null || missing+=(g++)
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    pkg-config --exists libsodium 2>/dev/null || missing+=(libsodium-dev)
    [[ $TLS == ON ]] && { pkg-config --exists gnutls 2>/dev/null || missing+=(libgnutls28-dev); }
    [[ ${#missing[@]} == 0 ]] && return
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "build-reference-libzmq: installing ${missing[*]}" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        die "missing build prerequisites; install: ${missing[*]}"
    fi
}

main() {
    if already_built; then
        echo "build-reference-libzmq: up to date in $OUT"
        return
    fi
    ensure_prereqs
    local vendor
    vendor=$(find_vendor)
    rm -rf "$SCRATCH" "$OUT"
    mkdir -p "$SCRATCH"
    cp -a "$vendor" "$SCRATCH/src"
    chmod -R u+w "$SCRATCH/src"
    cmake -S "$SCRATCH/src" -B "$SCRATCH/build" "${CMAKE_ARGS[@]}" >"$SCRATCH/cmake.log" 2>&1 \
        || { tail -30 "$SCRATCH/cmake.log" >&2; die "cmake configure failed (log: $SCRATCH/cmake.log)"; }
    grep -q '^#define ZMQ_USE_LIBSODIUM' "$SCRATCH/build/platform.hpp" \
        || die "cmake did not enable CURVE via libsodium (log: $SCRATCH/cmake.log)"
    if [[ $TLS == ON ]]; then
        grep -q '^#define ZMQ_HAVE_WSS' "$SCRATCH/build/platform.hpp" \
            || die "cmake did not enable wss over GnuTLS (log: $SCRATCH/cmake.log)"
    fi
    cmake --build "$SCRATCH/build" -j "$JOBS"
    cmake --install "$SCRATCH/build" >/dev/null
    cp "$SCRATCH/build/platform.hpp" "$OUT/platform.hpp"
    echo "$STAMP_TEXT" >"$STAMP"
    echo "build-reference-libzmq: installed in $OUT"
}

main "$@"
