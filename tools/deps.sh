#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, if missing.
# Rust itself is not installed here: get it from https://rustup.rs first.
set -euo pipefail

# binutils: tools/install.sh's readelf, nm and objcopy.
# valgrind: tools/memcheck.sh.
need=(gcc g++ make pkg-config python3 libclang-dev libsodium-dev cmake libgnutls28-dev binutils valgrind)
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "Installing: ${missing[*]}"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "Rust is missing: install it from https://rustup.rs"; exit 1; }
