"""The differential test's built-in corpus, generated (deterministically)
at run time: what a raw tcp client sends a bound socket, and which of the
driver's socket configurations (run.py SOCKETS) each stream goes to.

A stream is a list of steps: the driver writes each step at once and waits
STEP_PAUSE between steps, so the library has answered the previous one
(a PLAIN client's INITIATE must follow the server's WELCOME).

Groups:
  issue11     the 134-byte input of issue 11 (a greeting whose signature
              is one byte short, so it reads as ZMTP 2.0, then frames).
  null/T      greeting + READY + messages for socket T, cut at every byte.
  plain       PLAIN HELLO, then INITIATE, cut at every byte; wrong
              passwords, pipelined HELLO+INITIATE, malformed commands.
  curve       CURVE greeting + HELLO (captured from the reference, see
              CURVE_HELLO), cut at every byte; tampered HELLOs.
  legacy      ZMTP 1.0 (unversioned and versioned), 2.0 and 3.0 peers and
              unknown revisions, whole and cut.
  mechanism   greetings naming another, unknown or misspelt mechanism.
  oversize    frames at and around ZMQ_MAXMSGSIZE, 2^63-byte frames.
  commands    PING, PONG, SUBSCRIBE, CANCEL, ERROR, unknown and malformed
              commands before and after READY; malformed READY metadata.
  garbage     seeded random bytes after valid greetings and handshakes.
  draft/T     SERVER, DISH, GATHER, CHANNEL: cuts and malformed messages.
  mutants     seeded mutations of valid NULL, PLAIN, ZMTP 2.0/1.0 streams.
  client/...  the other direction: what a server sends our connecting
              sockets (NULL, PLAIN and CURVE clients): cuts, ERRORs,
              legacy servers, garbage, mutants.

`python3 tests/differential/corpus.py --out DIR` writes every stream to
DIR/<group>/<name>.bin (steps concatenated), e.g. as fuzzing seeds.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import struct
from pathlib import Path

import curvezmq

# The interop suite's test keys (libzmq's doc/zmq_curve.txt); peer.c's too.
SERVER_PUBLIC = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
CLIENT_PUBLIC = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
CLIENT_SECRET = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
CURVE_VARIANTS = ("ok", "message-multipart", "message-command", "message-subscribe",
                  "message-replayed-nonce", "message-tampered", "message-short",
                  "vouch-wrong-ephemeral", "vouch-wrong-server", "unknown-client", "bad-cookie",
                  "initiate-wrong-type", "initiate-bad-metadata", "initiate-replayed-nonce")

SEED = 20261203


@dataclasses.dataclass(frozen=True)
class Stream:
    group: str
    name: str
    steps: tuple[bytes, ...]
    sockets: tuple[str, ...]
    # For a step the server's answer decides (CURVE's INITIATE): called as
    # dynamic(i, reply so far) when step i > 0 is due; None sends nothing.
    dynamic: object = None

    @property
    def data(self) -> bytes:
        return b"".join(self.steps)

    @property
    def id(self) -> str:
        return f"{self.group}/{self.name}"


# ---- ZMTP building blocks -------------------------------------------------

def signature() -> bytes:
    """libzmq's pseudo-signature for an empty routing id."""
    return b"\xff" + struct.pack(">Q", 1) + b"\x7f"


def greeting(mech: bytes = b"NULL", major: int = 3, minor: int = 1, as_server: int = 0,
             filler: bytes = bytes(31)) -> bytes:
    return (signature() + bytes([major, minor]) + mech.ljust(20, b"\0")[:20]
            + bytes([as_server]) + filler)


def frame(body: bytes, more: bool = False, command: bool = False, long: bool | None = None) -> bytes:
    if long is None:
        long = len(body) > 255
    flags = (1 if more else 0) | (2 if long else 0) | (4 if command else 0)
    size = struct.pack(">Q", len(body)) if long else bytes([len(body)])
    return bytes([flags]) + size + body


def message(*parts: bytes) -> bytes:
    return b"".join(frame(p, more=i < len(parts) - 1) for i, p in enumerate(parts))


def command(name: bytes, body: bytes = b"") -> bytes:
    return frame(bytes([len(name)]) + name + body, command=True)


def props(*pairs: tuple[bytes, bytes]) -> bytes:
    return b"".join(bytes([len(k)]) + k + struct.pack(">I", len(v)) + v for k, v in pairs)


def ready(socket_type: bytes, identity: bytes | None = None) -> bytes:
    pairs = [(b"Socket-Type", socket_type)]
    if identity is not None:
        pairs.append((b"Identity", identity))
    return command(b"READY", props(*pairs))


def plain_hello(user: bytes = b"admin", password: bytes = b"secret") -> bytes:
    return command(b"HELLO", bytes([len(user)]) + user + bytes([len(password)]) + password)


def plain_initiate(socket_type: bytes = b"DEALER") -> bytes:
    return command(b"INITIATE", props((b"Socket-Type", socket_type), (b"Identity", b"")))


# A CURVE client's greeting and HELLO as the reference libzmq 4.3.5 sent
# them to a server with public key SERVER_PUBLIC (run.py, peer.c); the
# HELLO box is valid for that key whatever the server's state, so replaying
# it makes a server answer WELCOME. Recapture with
# `python3 tests/differential/run.py --capture-curve-hello`.
CURVE_HELLO = bytes.fromhex(
    "ff00000000000000017f03014355525645000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "04c80548454c4c4f010000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000406d56b9a0e2ab2515cb05f9fbd1"
    "8532090b3336e29a4ae3f8047e3df7e26a580000000000000001098710d481a5"
    "469beedf2f89a59d762b9974c536961c4c9ffaa2b0fb43d53c7c5c260c80882e"
    "199e3010f034b371595dc74b05e34904853772f11ba8c6db42b4e880cf3b7b52"
    "95a0cc6ef09ac657a63a")


# Each NULL target: the socket type its peer announces, and what follows
# READY (the frames the application should get).
NULL_TARGETS: dict[str, tuple[bytes, bytes]] = {
    "router": (b"DEALER", message(b"a", b"", b"bc")),
    "dealer": (b"ROUTER", message(b"hello") + message(b"x", b"y")),
    "rep": (b"DEALER", message(b"", b"req")),
    "sub": (b"PUB", message(b"topic", b"data")),
    "xpub": (b"SUB", command(b"SUBSCRIBE", b"top") + message(b"\x01abc") + command(b"CANCEL", b"top")),
    "pull": (b"PUSH", message(b"hello")),
    "pair": (b"PAIR", message(b"hello")),
}
NULL_SOCKETS = tuple(NULL_TARGETS)
# Draft socket types: their peer's type and messages (a RADIO sends each
# message as a group frame then the body; the DISH joined "news").
DRAFT_TARGETS: dict[str, tuple[bytes, bytes]] = {
    "server": (b"CLIENT", message(b"hello") + message(b"a", b"b")),
    "dish": (b"RADIO", message(b"news", b"flash") + message(b"other", b"x")
             + message(b"news", b"again")),
    "gather": (b"SCATTER", message(b"hello")),
    "channel": (b"CHANNEL", message(b"hello")),
}
# What a fuzz corpus file or random bytes go to.
DEFAULT_SOCKETS = ("router", "dealer", "rep", "sub", "pull", "router-plain", "router-curve")

ISSUE11 = bytes.fromhex(
    "ff000000000000007f03014e554c4c0000000000000000000000000000000000000000"
    "00000000000000000000000000000000000084f72866345ddc55ea838c02035fa2bcc8"
    "fbd43d568fb95e56b2e2aae35b46264a51cf0a44e82af1c8926a414585d6a90bfcf5f0"
    "3493f50d2de89490e4e171f8f2223a75f3e7ddf53fa3bf2ed15f33603f")


def cuts(steps: list[bytes]) -> list[tuple[int, tuple[bytes, ...]]]:
    """Every prefix of the concatenated steps (0 bytes to all), keeping the
    step boundaries that fall inside it."""
    total = sum(len(s) for s in steps)
    out = []
    for n in range(total + 1):
        left, kept = n, []
        for s in steps:
            if left <= 0:
                break
            kept.append(s[:left])
            left -= len(s)
        out.append((n, tuple(kept) if kept else (b"",)))
    return out


def build() -> list[Stream]:
    rnd = random.Random(SEED)
    out: list[Stream] = []

    def add(group: str, name: str, steps, sockets) -> None:
        if isinstance(steps, bytes):
            steps = (steps,)
        out.append(Stream(group, name, tuple(steps), tuple(sockets)))

    add("issue11", "greeting-short-signature-134", ISSUE11, NULL_SOCKETS + ("router-zap",))

    # NULL: every prefix of greeting + READY + messages, per socket type.
    for target, (peer_type, msgs) in NULL_TARGETS.items():
        for n, steps in cuts([greeting() + ready(peer_type), msgs]):
            add(f"null/{target}", f"cut-{n:03d}", steps, (target,))
    for target, (peer_type, msgs) in DRAFT_TARGETS.items():
        for n, steps in cuts([greeting() + ready(peer_type), msgs]):
            add(f"draft/{target}", f"cut-{n:03d}", steps, (target,))
    for name, data in {
        "server-multipart": message(b"a", b"b"),
        "dish-group-without-more": message(b"news") + message(b"x"),
        "dish-group-too-long": message(b"g" * 256, b"x"),
        "dish-multipart-body": message(b"news", b"a", b"b"),
        "dish-join": command(b"JOIN", b"news"),
        "dish-ping": command(b"PING", b"\x00\x00") + message(b"news", b"x"),
        "dish-command-more": frame(b"\x04news", more=True, command=True) + message(b"x"),
        "gather-multipart": message(b"a", b"b"),
        "channel-multipart": message(b"a", b"b"),
    }.items():
        target = name.split("-")[0]
        add(f"draft/{target}", name, [greeting() + ready(DRAFT_TARGETS[target][0]), data],
            (target,))
    # The ZAP-enabled NULL server asks the handler (which admits NULL).
    for n, steps in cuts([greeting() + ready(b"DEALER"), message(b"hi")]):
        add("null/router-zap", f"cut-{n:03d}", steps, ("router-zap",))
    # ... and one whose handler refuses (400: ERROR, no messages).
    for n, steps in cuts([greeting() + ready(b"DEALER"), message(b"hi")]):
        if n >= 64:
            add("null/router-zap-deny", f"cut-{n:03d}", steps, ("router-zap-deny",))
    add("null/router", "identity", [greeting() + ready(b"DEALER", b"peer-1"), message(b"m")],
        ("router",))
    add("null/router", "identity-empty", [greeting() + ready(b"DEALER", b""), message(b"m")],
        ("router",))
    add("null/router", "as-server-set", [greeting(as_server=1) + ready(b"DEALER"), message(b"m")],
        ("router",))
    add("null/router", "random-filler",
        [greeting(filler=bytes(rnd.randrange(256) for _ in range(31))) + ready(b"DEALER"),
         message(b"m")], ("router",))
    # libzmq drops a peer whose first message comes in the same read as its
    # READY, before libzmq wrote its own READY (docs/reliability.md).
    for t in ("router", "pull"):
        peer_type, msgs = NULL_TARGETS[t]
        add(f"null/{t}", "pipelined", greeting() + ready(peer_type) + msgs, (t,))
        # The same bytes once libzmq has seen the greeting (and so written
        # its READY): accepted, though we still have not read that READY.
        add(f"null/{t}", "pipelined-after-greeting", [greeting(), ready(peer_type) + msgs], (t,))

    # PLAIN: HELLO, (WELCOME), INITIATE, (READY), a message.
    plain_steps = [greeting(b"PLAIN") + plain_hello(), plain_initiate() + message(b"p")]
    for n, steps in cuts(plain_steps):
        add("plain", f"cut-{n:03d}", steps, ("router-plain",))
    add("plain", "wrong-password", [greeting(b"PLAIN") + plain_hello(password=b"nope"),
                                    plain_initiate() + message(b"p")], ("router-plain",))
    add("plain", "pipelined", greeting(b"PLAIN") + plain_hello() + plain_initiate()
        + message(b"p"), ("router-plain",))
    add("plain", "hello-no-password", greeting(b"PLAIN") + command(b"HELLO", b"\x05admin"),
        ("router-plain",))
    add("plain", "hello-user-overflow", greeting(b"PLAIN") + command(b"HELLO", b"\x09admin"),
        ("router-plain",))
    add("plain", "hello-trailing", greeting(b"PLAIN") + command(b"HELLO", b"\x01a\x01bZZ"),
        ("router-plain",))
    add("plain", "initiate-first", greeting(b"PLAIN") + plain_initiate(), ("router-plain",))
    add("plain", "ready-first", greeting(b"PLAIN") + ready(b"DEALER"), ("router-plain",))
    add("plain", "hello-twice", [greeting(b"PLAIN") + plain_hello(), plain_hello()],
        ("router-plain",))
    add("plain", "initiate-bad-type", [greeting(b"PLAIN") + plain_hello(),
                                       plain_initiate(b"PUB") + message(b"p")], ("router-plain",))
    add("plain", "hello-as-message", greeting(b"PLAIN") + frame(b"\x05HELLO\x05admin\x06secret"),
        ("router-plain",))

    # CURVE: every prefix of greeting + HELLO; tampered HELLOs.
    for n, steps in cuts([CURVE_HELLO]):
        add("curve", f"cut-{n:03d}", steps, ("router-curve",))
    body_at = 64 + 2
    for pos, name in ((body_at + 6, "version"), (body_at + 6 + 2 + 72, "client-key"),
                      (body_at + 6 + 2 + 72 + 32, "nonce"), (len(CURVE_HELLO) - 1, "box")):
        bad = bytearray(CURVE_HELLO)
        bad[pos] ^= 0x01
        add("curve", f"tampered-{name}", bytes(bad), ("router-curve",))
    add("curve", "hello-short", CURVE_HELLO[:64] + command(b"HELLO", bytes(100)),
        ("router-curve",))
    add("curve", "initiate-first", CURVE_HELLO[:64] + command(b"INITIATE", bytes(300)),
        ("router-curve",))
    add("curve", "hello-then-garbage", CURVE_HELLO + bytes(rnd.randrange(256) for _ in range(64)),
        ("router-curve",))
    # Whole CURVE handshakes: INITIATE from the server's WELCOME, then
    # MESSAGEs, each variant with one fault.
    keys = (curvezmq.z85_decode(SERVER_PUBLIC), curvezmq.z85_decode(CLIENT_PUBLIC),
            curvezmq.z85_decode(CLIENT_SECRET))
    for i, variant in enumerate(CURVE_VARIANTS):
        client = curvezmq.Client(*keys, bytes([i + 1]) * 32, variant)
        steps = (greeting(b"CURVE") + client.hello(), b"", b"")
        out.append(Stream("curve", f"session-{variant}", steps, ("router-curve",), client.step))

    # Version fallbacks: ZMTP 1.0 unversioned (an empty routing-id frame,
    # then frames: length including the flags byte, flags), versioned 1.0
    # and 2.0 (12-byte greeting with the socket type), 3.0, later revisions.
    legacy_targets = NULL_SOCKETS + ("router-zap",)
    v1_frames = b"\x01\x00" + b"\x06\x00hello"
    v1_long = b"\xff" + struct.pack(">Q", 6) + b"\x00hello"
    v2_sig = b"\xff" + bytes(8) + b"\x7f"

    def v2_greeting(revision: int, socket_type: int) -> bytes:
        return v2_sig + bytes([revision, socket_type])

    legacy = {
        "v1-unversioned": v1_frames,
        "v1-unversioned-long-id": v1_long + b"\x06\x00hello",
        "v1-unversioned-id": b"\x03\x00id" + b"\x06\x00hello",
        "v1-unversioned-zero-length": b"\x00\x00",
        "v1-versioned": v2_greeting(0, 5) + b"\x01\x00" + b"\x06\x00hello",
        "v2": v2_greeting(1, 5) + message(b"") + message(b"hello"),
        "v2-id": v2_greeting(1, 5) + message(b"v2id") + message(b"hello"),
        "v2-id-command-flag": v2_greeting(1, 5) + command(b"ID") + message(b"hello"),
        "v2-command-after-id": v2_greeting(1, 5) + message(b"") + command(b"PING", b"\0\0")
        + message(b"hello"),
        "v3.0": [greeting(minor=0) + ready(b"DEALER"), message(b"hello")],
        "v3.0-subscribe-message": [greeting(minor=0) + ready(b"SUB"), message(b"\x01top")],
        "v3.0-subscribe-command": [greeting(minor=0) + ready(b"SUB"),
                                   command(b"SUBSCRIBE", b"top") + message(b"\x00top")],
        "v2-subscribe": v2_greeting(1, 2) + message(b"") + message(b"\x01top")
        + message(b"\x00top") + message(b"\x02odd"),
        "v1-subscribe": b"\x01\x00" + b"\x05\x00\x01top" + b"\x05\x00\x00top",
        "v3.2": [greeting(minor=2) + ready(b"DEALER"), message(b"hello")],
        "v4.0": [greeting(major=4, minor=0) + ready(b"DEALER"), message(b"hello")],
        "revision-2": [v2_sig + b"\x02\x01" + b"NULL".ljust(20, b"\0") + bytes(32)
                       + ready(b"DEALER"), message(b"hello")],
        "signature-9-bytes": b"\xff" + bytes(7) + b"\x7f" + greeting()[10:] + ready(b"DEALER"),
        "signature-bit0-clear": b"\xff" + bytes(8) + b"\x7e" + greeting()[10:],
    }
    for name, data in legacy.items():
        add("legacy", name, data, legacy_targets)
    for name in ("v1-unversioned", "v2", "v3.0"):
        data = legacy[name]
        for n, steps in cuts(data if isinstance(data, list) else [data]):
            add("legacy", f"{name}-cut-{n:03d}", steps, ("router", "router-zap"))

    # Mechanisms the server does not speak, or misspelt.
    for mech in (b"PLAIN", b"CURVE", b"GSSAPI", b"XYZ", b"null", b"NULL\0X", b"", b"NULLNULL",
                 b"A" * 20):
        label = mech.decode(errors="replace").replace("\0", "0") or "empty"
        add("mechanism", f"greeting-{label}", [greeting(mech) + ready(b"DEALER"), message(b"m")],
            ("router", "router-plain", "router-curve"))

    # Frames against ZMQ_MAXMSGSIZE (64 on router-max64, 1 MiB elsewhere,
    # none on pull-nolimit).
    hs = greeting() + ready(b"DEALER")
    for size in (63, 64, 65):
        add("oversize", f"short-{size}", [hs, frame(b"x" * size)], ("router-max64",))
        add("oversize", f"long-{size}", [hs, frame(b"x" * size, long=True)], ("router-max64",))
        add("oversize", f"more-{size}", [hs, frame(b"a", more=True) + frame(b"x" * size)],
            ("router-max64",))
    add("oversize", "ready-over-64", greeting() + command(b"READY", props(
        (b"Socket-Type", b"DEALER"), (b"X-Pad", b"p" * 60))), ("router-max64",))
    add("oversize", "header-only-65", [hs, frame(b"x" * 65)[:2]], ("router-max64",))
    big = struct.pack(">Q", 1 << 63)
    add("oversize", "2^63", [hs, b"\x02" + big + b"abc"], ("router", "pull-nolimit"))
    add("oversize", "2^64-1", [hs, b"\x02" + b"\xff" * 8], ("router", "pull-nolimit"))
    add("oversize", "1MiB+1", [hs, b"\x02" + struct.pack(">Q", (1 << 20) + 1)], ("router",))
    add("oversize", "1MiB-header", [hs, b"\x02" + struct.pack(">Q", 1 << 20)], ("router",))
    add("oversize", "greeting-2^63-pull", [greeting() + ready(b"PUSH"), b"\x02" + big],
        ("pull-nolimit",))

    # Commands before and after READY; malformed READY.
    cmd_targets = ("router", "dealer", "sub", "xpub", "pull")
    hs_of = {t: greeting() + ready(NULL_TARGETS[t][0]) for t in cmd_targets}
    after = {
        "ping": command(b"PING", b"\x00\x0actx"),
        "ping-short": command(b"PING", b"\x00"),
        "ping-long-context": command(b"PING", b"\x00\x01" + b"c" * 20),
        "pong": command(b"PONG", b"ctx"),
        "subscribe": command(b"SUBSCRIBE", b"t"),
        "cancel": command(b"CANCEL", b"t"),
        "unknown": command(b"WHAT", b"ever"),
        "error": command(b"ERROR", b"\x03bad"),
        "ready-again": ready(b"DEALER"),
        "empty-command": frame(b"", command=True),
        "name-overflow": frame(b"\x09PING", command=True),
        "command-more": frame(b"\x04PING\x00\x00", more=True, command=True) + message(b"x"),
        "reserved-flags": bytes([0xf0, 1]) + b"r",
        "message-more-then-eof": frame(b"a", more=True),
    }
    for t in cmd_targets:
        for name, data in after.items():
            add("commands", f"{t}-{name}", [hs_of[t], data + message(b"after")], (t,))
    before = {
        "ping-before-ready": command(b"PING", b"\x00\x00") + ready(b"DEALER"),
        "message-before-ready": message(b"early") + ready(b"DEALER"),
        "error-before-ready": command(b"ERROR", b"\x03bad"),
        "error-before-ready-alone": (command(b"ERROR", b"\x03bad"), None),
        "ready-then-error": (ready(b"DEALER"), command(b"ERROR", b"\x03bad")),
        "error-malformed": command(b"ERROR", b"\x09bad"),
        "ready-no-socket-type": command(b"READY", props((b"Identity", b""))),
        "ready-wrong-type": ready(b"PUB"),
        "ready-unknown-type": ready(b"BOGUS"),
        "ready-lowercase-name": command(b"READY", props((b"socket-type", b"DEALER"))),
        "ready-value-overflow": command(b"READY", b"\x0bSocket-Type\x00\x00\x00\x09DEALER"),
        "ready-name-overflow": command(b"READY", b"\x20Socket-Type"),
        "ready-truncated-length": command(b"READY", b"\x0bSocket-Type\x00\x00"),
        "ready-duplicate": command(b"READY", props((b"Socket-Type", b"DEALER"),
                                                   (b"Socket-Type", b"PUB"))),
        "ready-empty-name": command(b"READY", props((b"", b"x"), (b"Socket-Type", b"DEALER"))),
        "ready-x-property": command(b"READY", props((b"Socket-Type", b"DEALER"),
                                                    (b"X-Custom", b"v"))),
        "ready-identity-long": ready(b"DEALER", b"i" * 255),
        "ready-identity-zero": ready(b"DEALER", b"\x00abcd"),
        "ready-as-message": frame(b"\x05READY" + props((b"Socket-Type", b"DEALER"))),
        "ready-more": frame(b"\x05READY" + props((b"Socket-Type", b"DEALER")), more=True,
                            command=True),
        "hello-under-null": command(b"HELLO"),
    }
    for name, data in before.items():
        # (first, second step) pairs carry their own second step, or none.
        first, second = data if isinstance(data, tuple) else (data, message(b"after"))
        steps = [greeting() + first] + ([second] if second is not None else [])
        add("commands", f"router-{name}", steps, ("router",))

    # Seeded garbage after valid prefixes.
    prefixes = {
        "greeting": (greeting(), DEFAULT_SOCKETS[:5]),
        "ready": ([greeting() + ready(b"DEALER")], ("router",)),
        "plain-greeting": (greeting(b"PLAIN"), ("router-plain",)),
        "curve-greeting": (greeting(b"CURVE"), ("router-curve",)),
        "signature": (signature(), ("router", "pull")),
        "none": (b"", ("router", "pull")),
    }
    for pname, (prefix, targets) in prefixes.items():
        for i in range(12):
            n = rnd.choice((1, 2, 3, 9, 10, 11, 50, 200, 1000, 4000))
            tail = bytes(rnd.randrange(256) for _ in range(n))
            steps = prefix + [tail] if isinstance(prefix, list) else prefix + tail
            add("garbage", f"{pname}-{i:02d}-{n}", steps, targets)

    # Each seeded group draws from its own generator, so that adding
    # streams elsewhere leaves its streams (and their names) unchanged.
    build_client_side(random.Random(SEED + 2), add)
    rnd = random.Random(SEED + 1)

    # Seeded mutations of valid streams (bit flips, bytes set, inserted,
    # deleted, duplicated), each step mutated in place so pauses stay
    # where the handshake needs them.
    bases = [(t, [greeting() + ready(NULL_TARGETS[t][0]), NULL_TARGETS[t][1]])
             for t in NULL_SOCKETS]
    bases.append(("router-plain", plain_steps))
    bases.append(("router", [legacy["v2"]]))
    bases.append(("pull", [legacy["v1-unversioned"]]))
    bases.append(("router-max64", [hs, frame(b"a", more=True) + frame(b"x" * 64)]))
    for i in range(MUTANTS):
        target, steps = bases[i % len(bases)]
        mutated = [bytearray(s) for s in steps]
        for _ in range(rnd.randint(1, 4)):
            step = rnd.choice(mutated)
            mutate(rnd, step)
        add("mutants", f"{target}-{i:03d}", [bytes(s) for s in mutated], (target,))
    return out


MUTANTS = 480

# Each connecting socket (run.py's `-client` sockets): the server type our
# raw server announces, and the messages it sends after READY.
CLIENT_TARGETS: dict[str, tuple[bytes, bytes]] = {
    "dealer-client": (b"ROUTER", message(b"r1") + message(b"r", b"2")),
    "req-client": (b"ROUTER", message(b"", b"world")),
    "sub-client": (b"PUB", message(b"news")),
    "push-client": (b"PULL", message(b"x")),
    "pair-client": (b"PAIR", message(b"hello")),
    "client-client": (b"SERVER", message(b"r1") + message(b"a", b"b")),
}


def build_client_side(rnd: random.Random, add) -> None:
    """Streams a server sends a connecting socket of ours or libzmq's."""
    for target, (server_type, msgs) in CLIENT_TARGETS.items():
        for n, steps in cuts([greeting() + ready(server_type), msgs]):
            add(f"client/{target}", f"cut-{n:03d}", steps, (target,))
    dealer = ("dealer-client",)
    welcome = command(b"WELCOME")
    plain = [greeting(b"PLAIN"), welcome, ready(b"ROUTER"), message(b"p")]
    for n, steps in cuts(plain):
        add("client/plain", f"cut-{n:03d}", steps, ("dealer-plain-client",))
    plain_cases = {
        "error-400": [greeting(b"PLAIN"), command(b"ERROR", b"\x03400")],
        # libzmq 4.3.5's own PLAIN ERROR: "\x05ERROR" in C is "^RROR".
        "error-libzmq-form": [greeting(b"PLAIN"), frame(b"^RROR\x03400", command=True)],
        "error-after-welcome": [greeting(b"PLAIN"), welcome, command(b"ERROR", b"\x03500")],
        "error-empty": [greeting(b"PLAIN"), command(b"ERROR", b"\x00")],
        "error-malformed": [greeting(b"PLAIN"), command(b"ERROR", b"\x09x")],
        "welcome-with-body": [greeting(b"PLAIN"), command(b"WELCOME", b"x"), ready(b"ROUTER")],
        "ready-first": [greeting(b"PLAIN"), ready(b"ROUTER")],
        "welcome-twice": [greeting(b"PLAIN"), welcome, welcome],
        "ready-wrong-type": [greeting(b"PLAIN"), welcome, ready(b"PUB")],
        "hello-from-server": [greeting(b"PLAIN"), plain_hello()],
    }
    for name, steps in plain_cases.items():
        add("client/plain", name, steps, ("dealer-plain-client",))
    curve_welcome = command(b"WELCOME", bytes(rnd.randrange(256) for _ in range(160)))
    for n, steps in cuts([greeting(b"CURVE"), curve_welcome]):
        add("client/curve", f"cut-{n:03d}", steps, ("dealer-curve-client",))
    for name, steps in {
        "error-400": [greeting(b"CURVE"), command(b"ERROR", b"\x03400")],
        "welcome-short": [greeting(b"CURVE"), command(b"WELCOME", bytes(100))],
        "ready-first": [greeting(b"CURVE"), ready(b"ROUTER")],
    }.items():
        add("client/curve", name, steps, ("dealer-curve-client",))
    # Servers of other versions and mechanisms.
    v2_sig = b"\xff" + bytes(8) + b"\x7f"
    others = {
        "server-v2": [v2_sig + b"\x01\x06", message(b"") + message(b"r1")],
        "server-v2-id": [v2_sig + b"\x01\x06", message(b"srv") + message(b"r1")],
        "server-v1": [v2_sig + b"\x00\x06", b"\x01\x00" + b"\x03\x00r1"],
        "server-unversioned": [b"\x01\x00", b"\x03\x00r1"],
        "server-v3.0": [greeting(minor=0) + ready(b"ROUTER"), message(b"r1")],
        "server-plain": [greeting(b"PLAIN") + ready(b"ROUTER"), message(b"r1")],
        "server-curve": [greeting(b"CURVE") + ready(b"ROUTER"), message(b"r1")],
        "server-as-server": [greeting(as_server=1) + ready(b"ROUTER"), message(b"r1")],
        "server-error": [greeting(), command(b"ERROR", b"\x03500")],
        "server-ready-no-type": [greeting() + command(b"READY"), message(b"r1")],
        "server-ping": [greeting() + ready(b"ROUTER"), command(b"PING", b"\x00\x01ab")],
        "server-subscribe": [greeting() + ready(b"ROUTER"), command(b"SUBSCRIBE", b"t")],
    }
    for name, steps in others.items():
        add("client/other", name, steps, dealer)
    # Without reconnects libzmq ends the endpoint when the connection goes,
    # and drops what its application has not read yet (docs/reliability.md).
    server_type, msgs = CLIENT_TARGETS["dealer-client"]
    add("client/noreconnect", "messages-then-close", [greeting() + ready(server_type), msgs],
        ("dealer-client-noreconnect",))
    add("client/noreconnect", "handshake-then-close", greeting() + ready(server_type),
        ("dealer-client-noreconnect",))
    # Replies a REQ's session refuses (libzmq's req_session_t) or takes.
    req_hs = greeting() + ready(b"ROUTER")
    for name, reply in {
        "no-delimiter": message(b"world"),
        "delimiter-only": message(b""),
        "request-id": message(b"\0\0\0\x01", b"", b"world"),
        "request-id-no-delimiter": message(b"\0\0\0\x01", b"world"),
        "two-replies": message(b"", b"a") + message(b"", b"b"),
        "reply-then-bare": message(b"", b"a") + message(b"b"),
        "command-flag-delimiter": frame(b"", more=True, command=True) + message(b"w"),
        "subscribe": command(b"SUBSCRIBE", b"t") + message(b"", b"w"),
        "ping": command(b"PING", b"\x00\x00") + message(b"", b"w"),
    }.items():
        add("client/req", name, [req_hs, reply], ("req-client",))
    for i in range(24):
        tail = bytes(rnd.randrange(256) for _ in range(rnd.choice((1, 9, 50, 300))))
        add("client/garbage", f"{i:02d}", [greeting(), tail], dealer)
        add("client/garbage", f"ready-{i:02d}", [greeting() + ready(b"ROUTER"), tail], dealer)
    for i in range(120):
        target = list(CLIENT_TARGETS)[i % len(CLIENT_TARGETS)]
        server_type, msgs = CLIENT_TARGETS[target]
        mutated = [bytearray(greeting() + ready(server_type)), bytearray(msgs)]
        for _ in range(rnd.randint(1, 3)):
            mutate(rnd, rnd.choice(mutated))
        add("client/mutants", f"{target}-{i:03d}", [bytes(m) for m in mutated], (target,))


def mutate(rnd: random.Random, b: bytearray) -> None:
    if not b:
        b.extend(rnd.randbytes(rnd.randint(1, 4)))
        return
    at = rnd.randrange(len(b))
    op = rnd.randrange(6)
    if op == 0:
        b[at] ^= 1 << rnd.randrange(8)
    elif op == 1:
        b[at] = rnd.choice((0, 1, 0x7f, 0x80, 0xff, rnd.randrange(256)))
    elif op == 2:
        b[at:at] = rnd.randbytes(rnd.randint(1, 8))
    elif op == 3:
        del b[at:at + rnd.randint(1, 8)]
    elif op == 4:
        n = rnd.randint(1, 16)
        b[at:at] = b[at:at + n]
    else:
        b[at] = (b[at] + rnd.choice((-1, 1))) % 256


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    streams = build()
    for s in streams:
        p = args.out / s.group / f"{s.name}.bin"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(s.data)
    print(f"{len(streams)} streams written under {args.out}")


if __name__ == "__main__":
    main()
