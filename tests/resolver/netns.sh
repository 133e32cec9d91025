#!/bin/sh
# Runs "$@" in the private user, network and mount namespaces that
# tests/resolver.rs made with `unshare -rnm`: loopback up, /etc/hosts
# knowing only localhost, /etc/resolv.conf pointing at dns_stub.py on
# 127.0.0.1:53. $1 is a scratch directory.
set -e
dir=$1
shift
here=$(dirname "$0")
rm -f "$dir/ready"
ip link set lo up
printf '127.0.0.1 localhost\n' >"$dir/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:10 attempts:1\n' >"$dir/resolv.conf"
mount --bind "$dir/hosts" /etc/hosts
mount --bind "$dir/resolv.conf" /etc/resolv.conf
python3 "$here/dns_stub.py" "$dir/ready" &
stub=$!
i=0
while [ ! -s "$dir/ready" ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "dns stub did not start" >&2; exit 1; }
    sleep 0.05
done
status=0
"$@" || status=$?
kill $stub
exit $status
