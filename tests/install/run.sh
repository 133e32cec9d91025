#!/usr/bin/env bash
# Our libzmq used the way libzmq users use theirs: installed by
# tools/install.sh into a temporary prefix, then found there and only there,
# by pkg-config (shared, and `--static` into a static program), by CMake's
# find_package(ZeroMQ) (targets libzmq and libzmq-static) and through
# cppzmq's find_package(cppzmq) (Debian's cppzmq-dev, its files alone: the
# package itself would pull in Debian's libzmq), then the examples built with
# pkg-config and run. Every program checks that the library it runs on is
# ours (zmq_has("wss") is 1; stock builds without TLS say 0) and comes from
# the prefix (dladdr of zmq_send, and ldd). Also: a DESTDIR-staged install
# writes nothing outside DESTDIR, and --uninstall removes every file.
#
#   tests/install/run.sh          (after `cargo build --release`)
#
# Prints "install: N checks passed"; the temporary prefix is removed at exit.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PASSED=0
pass() { PASSED=$((PASSED + 1)); echo "install: ok: $1"; }
fail() {
    echo "install: FAIL: $1" >&2
    [[ $# -gt 1 && -f "$2" ]] && cat "$2" >&2
    exit 1
}
# Nothing of ours may come from the environment: no library path, and
# pkg-config and CMake see the temporary prefix first.
unset LD_LIBRARY_PATH LD_PRELOAD PKG_CONFIG_PATH CMAKE_PREFIX_PATH

# The files `make install` of libzmq 4.3.5 (CMake) installs, relative to the
# prefix; what tools/install.sh installs must be exactly these.
EXPECTED="include/zmq.h
include/zmq_utils.h
lib/cmake/ZeroMQ/ZeroMQConfig.cmake
lib/cmake/ZeroMQ/ZeroMQConfigVersion.cmake
lib/cmake/ZeroMQ/ZeroMQTargets-release.cmake
lib/cmake/ZeroMQ/ZeroMQTargets.cmake
lib/libzmq.a
lib/libzmq.so
lib/libzmq.so.5
lib/libzmq.so.5.2.5
lib/pkgconfig/libzmq.pc"
files_under() { (cd "$1" && find . \( -type f -o -type l \) -printf '%P\n' | sort); }

# 1. Staged: DESTDIR=STAGE, --prefix PREFIX writes under STAGE/PREFIX only
# and names PREFIX inside; uninstall with the same DESTDIR empties it.
STAGED_PREFIX=/opt/libzmq-rs-install-test-$$
[[ ! -e "$STAGED_PREFIX" ]] || fail "$STAGED_PREFIX exists already"
DESTDIR="$T/stage" tools/install.sh --prefix "$STAGED_PREFIX" --no-build >"$T/log" 2>&1 ||
    fail "staged install" "$T/log"
[[ ! -e "$STAGED_PREFIX" ]] || fail "a DESTDIR install wrote to $STAGED_PREFIX"
[[ "$(files_under "$T/stage")" == "$(echo "$EXPECTED" | sed "s|^|${STAGED_PREFIX#/}/|")" ]] ||
    fail "staged files differ: $(files_under "$T/stage")"
grep -qx "prefix=$STAGED_PREFIX" "$T/stage$STAGED_PREFIX/lib/pkgconfig/libzmq.pc" ||
    fail "staged libzmq.pc does not name the prefix"
DESTDIR="$T/stage" tools/install.sh --prefix "$STAGED_PREFIX" --uninstall >"$T/log" 2>&1 ||
    fail "staged uninstall" "$T/log"
[[ -z "$(files_under "$T/stage")" ]] || fail "uninstall left: $(files_under "$T/stage")"
pass "DESTDIR install: the $(echo "$EXPECTED" | wc -l) files under DESTDIR only; --uninstall removes them"

# 2. Installed into the temporary prefix: libzmq's file names and links,
# SONAME, the static archive, the headers, libzmq.pc.
P=$T/prefix
tools/install.sh --prefix "$P" --no-build >"$T/log" 2>&1 || fail "install" "$T/log"
[[ "$(files_under "$P")" == "$EXPECTED" ]] || fail "installed files differ: $(files_under "$P")"
[[ "$(readlink "$P/lib/libzmq.so.5")" == libzmq.so.5.2.5 && "$(readlink "$P/lib/libzmq.so")" == libzmq.so.5 ]] ||
    fail "libzmq.so links"
readelf -d "$P/lib/libzmq.so.5.2.5" | grep 'SONAME.*\[libzmq\.so\.5\]' >/dev/null || fail "SONAME"
nm --defined-only "$P/lib/libzmq.a" 2>/dev/null | grep -w zmq_send >/dev/null || fail "libzmq.a has no zmq_send"
cmp -s include/zmq.h "$P/include/zmq.h" && cmp -s include/zmq_utils.h "$P/include/zmq_utils.h" || fail "headers"
export PKG_CONFIG_PATH=$P/lib/pkgconfig
[[ "$(pkg-config --modversion libzmq)" == 4.3.5 && "$(pkg-config --variable=libdir libzmq)" == "$P/lib" ]] ||
    fail "pkg-config libzmq: $(pkg-config --modversion --variable=libdir libzmq)"
pass "installed: libzmq.so.5.2.5 (SONAME libzmq.so.5) + links, libzmq.a, headers, libzmq.pc 4.3.5"

LIB=$(realpath "$P/lib/libzmq.so.5.2.5")
# loads_ours PROGRAM: ldd resolves libzmq.so.5 to the prefix's file.
loads_ours() {
    local got
    got=$(ldd "$1" | sed -n 's/^\s*libzmq\.so\.5 => \(\S*\).*/\1/p')
    [[ -n "$got" && "$(realpath "$got")" == "$LIB" ]] || fail "$1 loads libzmq from '${got:-nowhere}'"
}
# static_only PROGRAM: no libzmq.so among its libraries.
static_only() { ! ldd "$1" 2>/dev/null | grep libzmq >/dev/null || fail "$1 loads a shared libzmq"; }

# 3. pkg-config, shared: the run path is how a program finds a library in a
# private prefix (CMake sets it by itself).
cc tests/install/check.c -o "$T/check_pc" $(pkg-config --cflags --libs libzmq) \
    -Wl,-rpath,"$(pkg-config --variable=libdir libzmq)" >"$T/log" 2>&1 || fail "cc with pkg-config" "$T/log"
loads_ours "$T/check_pc"
"$T/check_pc" "$LIB" >"$T/log" 2>&1 || fail "check_pc" "$T/log"
pass "cc \$(pkg-config --cflags --libs libzmq): $(cat "$T/log")"

# 4. pkg-config --static: a fully static program (cc -static links libzmq.a
# and everything Libs.private and Requires.private name). glibc warns that
# getaddrinfo and getpwuid_r still want its shared NSS modules at run time.
cc -static tests/install/check.c -o "$T/check_pc_static" $(pkg-config --static --cflags --libs libzmq) \
    >"$T/log" 2>&1 || fail "cc -static with pkg-config --static" "$T/log"
static_only "$T/check_pc_static"
"$T/check_pc_static" static >"$T/log" 2>&1 || fail "check_pc_static" "$T/log"
pass "cc -static \$(pkg-config --static --cflags --libs libzmq): $(cat "$T/log")"

# 5. CMake: find_package(ZeroMQ), targets libzmq and libzmq-static.
cmake_build() {
    local src=$1 build=$2 prefixes=$3
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefixes" \
        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$T/log" 2>&1 || fail "cmake configure $src" "$T/log"
    cmake --build "$build" >"$T/log" 2>&1 || fail "cmake build $src" "$T/log"
    grep -qx "ZeroMQ_DIR:PATH=$P/lib/cmake/ZeroMQ" "$build/CMakeCache.txt" ||
        fail "CMake found ZeroMQ elsewhere: $(grep ZeroMQ_DIR "$build/CMakeCache.txt")"
}
cmake_build tests/install/cmake "$T/cmake" "$P"
loads_ours "$T/cmake/check_shared"
"$T/cmake/check_shared" "$LIB" >"$T/log" 2>&1 || fail "cmake check_shared" "$T/log"
pass "CMake find_package(ZeroMQ), target libzmq: $(cat "$T/log")"
static_only "$T/cmake/check_static"
"$T/cmake/check_static" static >"$T/log" 2>&1 || fail "cmake check_static" "$T/log"
pass "CMake find_package(ZeroMQ), target libzmq-static: $(cat "$T/log")"

# 6. cppzmq: Debian's cppzmq-dev unpacked (not installed) into the temporary
# directory; the .deb is kept in target/ between runs.
DEBS=$REPO/target/cppzmq-deb
if ! compgen -G "$DEBS/cppzmq-dev_*.deb" >/dev/null; then
    mkdir -p "$DEBS"
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    # Root's apt would hand the download to the _apt user, who may not
    # write here; an empty package list (a fresh machine) needs an update.
    (cd "$DEBS" && { apt-get -q -o APT::Sandbox::User=root download cppzmq-dev ||
        { $sudo apt-get update -qq && apt-get -q -o APT::Sandbox::User=root download cppzmq-dev; }; }) \
        >"$T/log" 2>&1 || fail "apt-get download cppzmq-dev" "$T/log"
fi
dpkg -x "$(compgen -G "$DEBS/cppzmq-dev_*.deb" | head -1)" "$T/cppzmq"
[[ -f "$T/cppzmq/usr/include/zmq.hpp" && ! -e "$T/cppzmq/usr/include/zmq.h" ]] || fail "cppzmq-dev's files"
cmake_build tests/install/cppzmq "$T/cppzmq-build" "$P;$T/cppzmq/usr"
loads_ours "$T/cppzmq-build/check_cppzmq"
"$T/cppzmq-build/check_cppzmq" "$LIB" >"$T/log" 2>&1 || fail "check_cppzmq" "$T/log"
pass "CMake find_package(cppzmq), target cppzmq: $(cat "$T/log")"
static_only "$T/cppzmq-build/check_cppzmq_static"
"$T/cppzmq-build/check_cppzmq_static" static >"$T/log" 2>&1 || fail "check_cppzmq_static" "$T/log"
pass "CMake find_package(cppzmq), target cppzmq-static: $(cat "$T/log")"

# 7. The examples, built by examples/Makefile with pkg-config and run.
examples/run.sh "$T/examples" >"$T/log" 2>&1 || fail "examples" "$T/log"
for p in "$T"/examples/*; do
    [[ -x "$p" ]] && loads_ours "$p"
done
n=$(sed -n 's/^examples: \([0-9]*\) passed$/\1/p' "$T/log")
PASSED=$((PASSED + n - 1))
pass "examples: $n patterns, each program loading the prefix's libzmq"

# 8. pyzmq (its wheel's own libzmq replaced by ours with LD_PRELOAD), when
# the virtualenv tests/pyzmq/run.sh makes is there.
VENV=$REPO/target/pyzmq-venv
if [[ -x "$VENV/bin/python" ]]; then
    out=$(LD_PRELOAD=$P/lib/libzmq.so.5 "$VENV/bin/python" -c 'import zmq; print(zmq.zmq_version(), zmq.has("wss"))' 2>&1) ||
        fail "pyzmq: $out"
    [[ "$out" == "4.3.5 True" ]] || fail "pyzmq says '$out'"
    pass "pyzmq with LD_PRELOAD=PREFIX/lib/libzmq.so.5: $out"
else
    echo "install: pyzmq skipped (no $VENV yet: tests/pyzmq/run.sh makes it)"
fi

# 9. Uninstall removes every installed file.
tools/install.sh --prefix "$P" --uninstall >"$T/log" 2>&1 || fail "uninstall" "$T/log"
[[ -z "$(files_under "$P")" ]] || fail "uninstall left: $(files_under "$P")"
pass "--uninstall removes every file"

echo "install: $PASSED checks passed"
