#!/usr/bin/env bash
# Regenerate the expected tables in tests/tables/ from the reference
# libzmq 4.3.5 (target/reference, built by tools/build-reference-libzmq.sh,
# which this calls): each tests/tables/<name>.c is built against the
# reference's header and library and its output written to
# tests/tables/<name>.txt. tests/tables.rs builds the same programs
# against our library and compares (see it for the documented exceptions).
#
#   flock /tmp/zmq-build.lock tools/reference-tables.sh
#
# --check writes nothing and fails if a checked-in table differs from what
# the reference prints now (tools/test.sh runs it).
set -euo pipefail
CHECK=0
case "${1:-}" in
    "") ;;
    --check) CHECK=1 ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REF="$REPO/target/reference"
"$REPO/tools/build-reference-libzmq.sh"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for src in "$REPO"/tests/tables/*.c; do
    name=$(basename "$src" .c)
    ${CC:-cc} -std=gnu99 -Wall -Wextra -Werror -DZMQ_BUILD_DRAFT_API \
        -I "$REF/include" "$src" -o "$OUT/$name" \
        -L "$REF/lib" -Wl,-rpath,"$REF/lib" -lzmq
    "$OUT/$name" >"$OUT/$name.txt"
    if [[ $CHECK == 1 ]]; then
        diff -q "$REPO/tests/tables/$name.txt" "$OUT/$name.txt" >/dev/null \
            || { echo "reference-tables: tests/tables/$name.txt is stale; run $0" >&2; exit 1; }
    else
        cp "$OUT/$name.txt" "$REPO/tests/tables/$name.txt"
    fi
    echo "reference-tables: tests/tables/$name.txt ($(wc -l <"$OUT/$name.txt") lines)"
done
