"""A tiny DNS server for tests/resolver.rs, on 127.0.0.1:53 inside a
private network namespace: A records for a few names under zmq.test, one
of them answered only after a delay (a slow resolver); AAAA questions get
an empty answer, anything else NXDOMAIN. Each question is answered on a
thread of its own, so the slow one holds up no other. Writes "ready" to
the file named by its argument once it listens."""

import socket
import struct
import sys
import threading
import time

SLOW_SECONDS = 3.0
# name -> (delay in seconds, IPv4 addresses in answer order)
NAMES = {
    "slow.zmq.test": (SLOW_SECONDS, ["127.0.0.2"]),
    # The first address refuses (nothing listens on 127.0.0.1 at the
    # test's port), the second is the listener.
    "two.zmq.test": (0.0, ["127.0.0.1", "127.0.0.2"]),
}


def question(packet):
    """The first question's name, type and the question's wire bytes."""
    labels, i = [], 12
    while packet[i] != 0:
        n = packet[i]
        labels.append(packet[i + 1 : i + 1 + n].decode("ascii").lower())
        i += 1 + n
    qtype = struct.unpack("!H", packet[i + 1 : i + 3])[0]
    return ".".join(labels), qtype, packet[12 : i + 5]


def reply(packet, rcode, addresses):
    name, _qtype, q = question(packet)
    (ident,) = struct.unpack("!H", packet[:2])
    flags = 0x8180 | rcode  # response, recursion desired and available
    out = struct.pack("!HHHHHH", ident, flags, 1, len(addresses), 0, 0) + q
    for a in addresses:
        out += struct.pack("!HHHIH", 0xC00C, 1, 1, 5, 4) + socket.inet_aton(a)
    return out


def answer(sock, packet, peer):
    name, qtype, _ = question(packet)
    if name not in NAMES:
        sock.sendto(reply(packet, 3, []), peer)
        return
    delay, addresses = NAMES[name]
    time.sleep(delay)
    sock.sendto(reply(packet, 0, addresses if qtype == 1 else []), peer)


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 53))
    with open(sys.argv[1], "w") as f:
        f.write("ready\n")
    while True:
        packet, peer = sock.recvfrom(512)
        threading.Thread(target=answer, args=(sock, packet, peer), daemon=True).start()


if __name__ == "__main__":
    main()
