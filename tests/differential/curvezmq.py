"""A CURVE client (rfc-26 CurveZMQ as ZMTP carries it, rfc-25) in pure
Python, for the differential driver: its INITIATE depends on the server's
WELCOME, so it is computed per connection. Slow (pure-Python X25519,
milliseconds per box) and for tests only: not constant-time.

Primitives as libsodium's crypto_box (X25519, HSalsa20, XSalsa20,
Poly1305), written from their specifications (RFC 7748, the Salsa20 and
XSalsa20 papers, RFC 8439's Poly1305).
"""

from __future__ import annotations

import struct

P = 2**255 - 19
A24 = 121665


def x25519(k: bytes, u: bytes) -> bytes:
    """RFC 7748 scalar multiplication."""
    k = bytearray(k)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    scalar = int.from_bytes(k, "little")
    x1 = int.from_bytes(u, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in reversed(range(255)):
        bit = (scalar >> t) & 1
        swap ^= bit
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b = (x2 + z2) % P, (x2 - z2) % P
        aa, bb = a * a % P, b * b % P
        e = (aa - bb) % P
        c, d = (x3 + z3) % P, (x3 - z3) % P
        da, cb = d * a % P, c * b % P
        x3 = (da + cb) ** 2 % P
        z3 = x1 * (da - cb) ** 2 % P
        x2 = aa * bb % P
        z2 = e * (aa + A24 * e) % P
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, P - 2, P) % P).to_bytes(32, "little")


def public_key(secret: bytes) -> bytes:
    return x25519(secret, (9).to_bytes(32, "little"))


def _rounds(x: list[int]) -> list[int]:
    def r(a: int, b: int) -> int:
        return ((a << b) | (a >> (32 - b))) & 0xFFFFFFFF

    x = list(x)
    for _ in range(10):
        for a, b, c, d in ((0, 4, 8, 12), (5, 9, 13, 1), (10, 14, 2, 6), (15, 3, 7, 11),
                           (0, 1, 2, 3), (5, 6, 7, 4), (10, 11, 8, 9), (15, 12, 13, 14)):
            x[b] ^= r((x[a] + x[d]) & 0xFFFFFFFF, 7)
            x[c] ^= r((x[b] + x[a]) & 0xFFFFFFFF, 9)
            x[d] ^= r((x[c] + x[b]) & 0xFFFFFFFF, 13)
            x[a] ^= r((x[d] + x[c]) & 0xFFFFFFFF, 18)
    return x


SIGMA = struct.unpack("<4I", b"expand 32-byte k")


def _state(key: bytes, inp: bytes) -> list[int]:
    k, i = struct.unpack("<8I", key), struct.unpack("<4I", inp)
    return [SIGMA[0], k[0], k[1], k[2], k[3], SIGMA[1], i[0], i[1], i[2], i[3],
            SIGMA[2], k[4], k[5], k[6], k[7], SIGMA[3]]


def hsalsa20(key: bytes, inp: bytes) -> bytes:
    x = _rounds(_state(key, inp))
    return struct.pack("<8I", x[0], x[5], x[10], x[15], x[6], x[7], x[8], x[9])


def xsalsa20_stream(key: bytes, nonce: bytes, n: int) -> bytes:
    sub = hsalsa20(key, nonce[:16])
    out = bytearray()
    counter = 0
    while len(out) < n:
        s = _state(sub, nonce[16:24] + struct.pack("<Q", counter))
        x = _rounds(s)
        out += struct.pack("<16I", *((a + b) & 0xFFFFFFFF for a, b in zip(x, s)))
        counter += 1
    return bytes(out[:n])


def poly1305(key: bytes, msg: bytes) -> bytes:
    r = int.from_bytes(key[:16], "little") & 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF
    s = int.from_bytes(key[16:], "little")
    p, acc = (1 << 130) - 5, 0
    for i in range(0, len(msg), 16):
        block = msg[i:i + 16] + b"\x01"
        acc = (acc + int.from_bytes(block, "little")) * r % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def box_key(public: bytes, secret: bytes) -> bytes:
    """crypto_box_beforenm."""
    return hsalsa20(x25519(secret, public), bytes(16))


def seal(key: bytes, nonce: bytes, msg: bytes) -> bytes:
    """crypto_box_afternm: the 16-byte tag, then the ciphertext."""
    stream = xsalsa20_stream(key, nonce, 32 + len(msg))
    c = bytes(a ^ b for a, b in zip(msg, stream[32:]))
    return poly1305(stream[:32], c) + c


def open_(key: bytes, nonce: bytes, boxed: bytes) -> bytes | None:
    if len(boxed) < 16:
        return None
    stream = xsalsa20_stream(key, nonce, 32 + len(boxed) - 16)
    if poly1305(stream[:32], boxed[16:]) != boxed[:16]:
        return None
    return bytes(a ^ b for a, b in zip(boxed[16:], stream[32:]))


Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"


def z85_decode(s: str) -> bytes:
    out = bytearray()
    for i in range(0, len(s), 5):
        v = 0
        for ch in s[i:i + 5]:
            v = v * 85 + Z85.index(ch)
        out += v.to_bytes(4, "big")
    return bytes(out)


# ---- the client side of a CURVE handshake, step by step ---------------------

def _frame(body: bytes, command: bool = True, more: bool = False) -> bytes:
    flags = (4 if command else 0) | (1 if more else 0)
    if len(body) > 255:
        return bytes([flags | 2]) + len(body).to_bytes(8, "big") + body
    return bytes([flags, len(body)]) + body


def _props(*pairs: tuple[bytes, bytes]) -> bytes:
    return b"".join(bytes([len(k)]) + k + len(v).to_bytes(4, "big") + v for k, v in pairs)


def _frames(data: bytes) -> list[bytes]:
    """The whole frames' bodies in `data`."""
    out = []
    while len(data) >= 2:
        if data[0] & 2:
            if len(data) < 9:
                break
            size, head = int.from_bytes(data[1:9], "big"), 9
        else:
            size, head = data[1], 2
        if len(data) < head + size:
            break
        out.append(data[head:head + size])
        data = data[head + size:]
    return out


class Client:
    """A CURVE client with fixed keys: `hello()` is its first write (after
    the greeting), `step(i, reply)` the later ones, computed from what the
    server wrote so far; `variant` names a deliberate fault."""

    def __init__(self, server_public: bytes, client_public: bytes, client_secret: bytes,
                 ephemeral_secret: bytes, variant: str = "ok"):
        self.S, self.C, self.c = server_public, client_public, client_secret
        self.c_, self.C_ = ephemeral_secret, public_key(ephemeral_secret)
        self.variant = variant

    def hello(self) -> bytes:
        nonce = (1).to_bytes(8, "big")
        box = seal(box_key(self.S, self.c_), b"CurveZMQHELLO---" + nonce, bytes(64))
        return _frame(b"\x05HELLO\x01\x00" + bytes(72) + self.C_ + nonce + box)

    def _welcome(self, reply: bytes) -> tuple[bytes, bytes] | None:
        for body in _frames(reply[64:]):
            if body.startswith(b"\x07WELCOME") and len(body) == 168:
                opened = open_(box_key(self.S, self.c_), b"WELCOME-" + body[8:24], body[24:])
                if opened is not None:
                    return opened[:32], opened[32:]
        return None

    def step(self, i: int, reply: bytes) -> bytes | None:
        welcome = self._welcome(reply)
        if welcome is None:
            return None
        s_short, cookie = welcome
        key = box_key(s_short, self.c_)
        v = self.variant
        if i == 1:
            return self.initiate(s_short, cookie, key)
        # MESSAGEs: flags byte (1 MORE, 2 COMMAND) and body.
        nonce = 3 if v != "message-replayed-nonce" else 2
        parts = [(0, b"curve!")]
        if v == "message-multipart":
            parts = [(1, b"a"), (0, b"b")]
        elif v == "message-command":
            parts = [(2, b"\x04PING\x00\x00"), (0, b"after")]
        elif v == "message-subscribe":
            parts = [(2, b"\x09SUBSCRIBEt"), (0, b"after")]
        out = b""
        for k, (flags, body) in enumerate(parts):
            n = (nonce + k).to_bytes(8, "big")
            boxed = seal(key, b"CurveZMQMESSAGEC" + n, bytes([flags]) + body)
            if v == "message-tampered":
                boxed = boxed[:-1] + bytes([boxed[-1] ^ 1])
            if v == "message-short":
                boxed = boxed[:10]
            out += _frame(b"\x07MESSAGE" + n + boxed, command=False, more=bool(flags & 1))
        return out

    def initiate(self, s_short: bytes, cookie: bytes, key: bytes) -> bytes:
        v = self.variant
        vouch_nonce = bytes(range(16))
        c_in_vouch = self.C_ if v != "vouch-wrong-ephemeral" else bytes(32)
        s_in_vouch = self.S if v != "vouch-wrong-server" else s_short
        vouch = seal(box_key(s_short, self.c), b"VOUCH---" + vouch_nonce, c_in_vouch + s_in_vouch)
        socket_type = b"PUB" if v == "initiate-wrong-type" else b"DEALER"
        metadata = _props((b"Socket-Type", socket_type), (b"Identity", b""))
        if v == "initiate-bad-metadata":
            metadata = metadata[:-2]
        client_key = self.C if v != "unknown-client" else public_key(bytes(range(32)))
        if v == "unknown-client":
            # A client key the ZAP handler does not know, vouched for
            # properly with its own secret.
            vouch = seal(box_key(s_short, bytes(range(32))), b"VOUCH---" + vouch_nonce,
                         c_in_vouch + s_in_vouch)
        if v == "bad-cookie":
            cookie = cookie[:-1] + bytes([cookie[-1] ^ 1])
        nonce = (2 if v != "initiate-replayed-nonce" else 1).to_bytes(8, "big")
        box = seal(key, b"CurveZMQINITIATE" + nonce,
                   client_key + vouch_nonce + vouch + metadata)
        return _frame(b"\x08INITIATE" + cookie + nonce + box)
