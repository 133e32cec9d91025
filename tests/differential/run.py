#!/usr/bin/env python3
"""Differential testing: the same raw byte streams against a socket of our
libzmq and the same socket of the reference libzmq 4.3.5, compared.

For every case (a stream, a socket configuration, a mode) the driver
1. has tests/differential/peer.c, built against each library (as
   tests/interop builds its peer), bind the socket on a loopback port, in
   one process per library and batch;
2. connects a raw tcp client to each, writes the stream's steps (pausing
   STEP_PAUSE between steps) and then either shuts down its write side
   (mode `close`) or keeps the connection open (mode `open`), reading all
   the while what the library writes back, until the library closes the
   connection or WINDOW has passed;
3. asks each peer for what its application received (every message, every
   frame) and compares, per case:
   - the messages (a ROUTER's generated routing ids read as `<id>`),
   - whether the library closed the connection (EOF or reset),
   - the bytes it wrote: exactly, except after a CURVE peer's greeting,
     where each frame counts by its command name and size (WELCOME, HELLO
     and READY carry random bytes); when both closed, up to the shorter
     reply (see same());
   - the socket's handshake events, in order (a monitor per socket).
Connecting sockets (the `-client` ones) are served by a listener of the
driver instead. A differing case is run again alone with a longer
window; only a difference that stays is reported (timing noise on a
loaded machine is not a finding).

The built-in corpus is tests/differential/corpus.py (handshakes cut at
every byte, version fallbacks, bad mechanisms, MAXMSGSIZE, commands,
seeded garbage and mutants, the server side for connecting sockets, the
input of issue 11). `--corpus DIR` (repeatable) adds
every file under DIR as one stream (a fuzzer's corpus directory), sent to
the DEFAULT_SOCKETS of corpus.py.

Differences that are libzmq's bugs, not ours, are listed in
known-differences.txt (glob on the case id, reason; see docs/reliability.md);
they count as known. Prints one line per difference and the summary
`differential: N streams x M sockets, K identical, D different, J known`
(K, D and J count cases: stream x socket x mode). Exit status 0 when no
unknown difference remains, 1 otherwise, 2 on a setup error.
Python 3.11, stdlib only.

Usage:
    python3 tests/differential/run.py
    python3 tests/differential/run.py --only 'plain/*' -v
    python3 tests/differential/run.py --corpus /work/wt-fuzz/fuzz/corpus/engine
    python3 tests/differential/run.py --capture-curve-hello
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import fcntl
import fnmatch
import os
import resource
import selectors
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402

REPO = HERE.parent.parent
OUT = REPO / "target" / "differential"
REFERENCE = REPO / "target" / "reference"
KNOWN = HERE / "known-differences.txt"

MIB = 1 << 20
# name -> (socket type, mechanism, ZMQ_MAXMSGSIZE); see peer.c. The binders
# serve the driver's raw client; the `-client` sockets connect to the
# driver's listener, which plays the server and accepts once (a socket that
# reconnects after the case waits in the listener's backlog, unserved);
# `-noreconnect` ones have ZMQ_RECONNECT_IVL -1.
SOCKETS: dict[str, tuple[str, str, int]] = {
    "router": ("ROUTER", "NULL", MIB),
    "dealer": ("DEALER", "NULL", MIB),
    "rep": ("REP", "NULL", MIB),
    "sub": ("SUB", "NULL", MIB),
    "xpub": ("XPUB", "NULL", MIB),
    "pull": ("PULL", "NULL", MIB),
    "pair": ("PAIR", "NULL", MIB),
    "router-zap": ("ROUTER", "NULLZAP", MIB),
    "router-zap-deny": ("ROUTER", "NULLDENY", MIB),
    "router-plain": ("ROUTER", "PLAIN", MIB),
    "router-curve": ("ROUTER", "CURVE", MIB),
    "router-max64": ("ROUTER", "NULL", 64),
    "pull-nolimit": ("PULL", "NULL", -1),
    "dealer-client": ("DEALER", "NULL", MIB),
    "req-client": ("REQ", "NULL", MIB),
    "sub-client": ("SUB", "NULL", MIB),
    "push-client": ("PUSH", "NULL", MIB),
    "pair-client": ("PAIR", "NULL", MIB),
    "dealer-plain-client": ("DEALER", "PLAIN", MIB),
    "dealer-curve-client": ("DEALER", "CURVE", MIB),
    "dealer-client-noreconnect": ("DEALER", "NULL", MIB),
    # Draft types (both libraries are built with them).
    "server": ("SERVER", "NULL", MIB),
    "dish": ("DISH", "NULL", MIB),
    "gather": ("GATHER", "NULL", MIB),
    "channel": ("CHANNEL", "NULL", MIB),
    "client-client": ("CLIENT", "NULL", MIB),
}


def connects(name: str) -> bool:
    return name.endswith("-client") or name.endswith("-client-noreconnect")
MODES = ("close", "open")
STEP_PAUSE = 0.15      # s between a stream's steps
WINDOW = 0.5           # s to wait for the library after the last step
RETRY_WINDOW = 1.5     # the same, when a difference is run again
BATCH = 250            # cases (bound sockets) per peer process
PEER_TIMEOUT = 20.0    # s for a peer to start or dump
READ_CAP = 1 << 16     # bytes of reply kept per connection


# ---- building ---------------------------------------------------------------

def setup_error(msg: str) -> None:
    print(f"differential: setup error: {msg}", file=sys.stderr)
    sys.exit(2)


def compile_peer(flavor: str, include: Path, libdir: Path, lock: Path | None) -> Path:
    exe = OUT / flavor / "peer"
    exe.parent.mkdir(parents=True, exist_ok=True)
    cc = os.environ.get("CC", "cc")
    cmd = [cc, "-std=gnu99", "-O2", "-Wall", "-Wextra", "-Werror", "-I", str(include),
           str(HERE / "peer.c"), "-o", str(exe), "-L", str(libdir),
           f"-Wl,-rpath,{libdir}", "-lzmq"]
    with open(lock, "a") if lock else open(os.devnull) as f:
        if lock:
            fcntl.flock(f, fcntl.LOCK_EX)
        r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        setup_error(f"compiling peer.c ({flavor}) failed:\n{' '.join(cmd)}\n{r.stderr}")
    return exe


def build(args: argparse.Namespace) -> dict[str, Path]:
    ours_lib = (args.lib / "libzmq.so").resolve()
    if not ours_lib.is_file():
        setup_error(f"{args.lib}/libzmq.so missing: run `cargo build --release` first")
    if not (REFERENCE / "lib" / "libzmq.so.5").is_file():
        setup_error(f"{REFERENCE}/lib/libzmq.so.5 missing: run tools/build-reference-libzmq.sh")
    # A private directory where -lzmq and the SONAME libzmq.so.5 are ours.
    ours_dir = OUT / "ours" / "lib"
    ours_dir.mkdir(parents=True, exist_ok=True)
    for link in ("libzmq.so", "libzmq.so.5"):
        p = ours_dir / link
        if p.is_symlink() or p.exists():
            p.unlink()
        p.symlink_to(ours_lib)
    return {
        "ours": compile_peer("ours", REPO / "include", ours_dir, args.lock),
        "ref": compile_peer("ref", REFERENCE / "include", REFERENCE / "lib", args.lock),
    }


# ---- cases -----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Case:
    stream: corpus.Stream
    socket: str
    mode: str

    @property
    def id(self) -> str:
        return f"{self.stream.id}@{self.socket}/{self.mode}"


@dataclasses.dataclass
class Outcome:
    closed: str = "open"            # "open", "eof" or "reset"
    reply: bytes = b""
    messages: list[str] = dataclasses.field(default_factory=list)
    events: list[str] = dataclasses.field(default_factory=list)

    def key(self, case: Case) -> tuple:
        return (self.closed != "open", normalize_reply(self.reply, case),
                tuple(normalize_message(m, case) for m in self.messages), tuple(self.events))


def same(case: Case, ours: Outcome, ref: Outcome) -> bool:
    """Equal outcomes. When both libraries closed the connection, one reply
    may be a prefix of the other: what a library had queued when it drops
    a connection is written or not by io-thread scheduling (libzmq writes
    in out_event, which may or may not run between the read that fails and
    the close; after our EOF it often does not), and a reset (the library
    closed with our bytes unread) discards what we had not read yet."""
    a, b = ours.key(case), ref.key(case)
    if a == b:
        return True
    if a[0] != b[0] or a[2:] != b[2:] or not a[0]:
        return False
    ra, rb = a[1].split(" | "), b[1].split(" | ")
    if (len(ra), len(ra[-1])) > (len(rb), len(rb[-1])):
        ra, rb = rb, ra
    # The shorter reply's last token may be cut: raw bytes a prefix of the
    # other's, or the start of a frame ("<partial N>").
    last = len(ra) - 1
    return ra[:last] == rb[:last] and (rb[last].startswith(ra[last])
                                       or ra[last].startswith("<partial"))


def normalize_message(line: str, case: Case) -> str:
    """A ROUTER's generated routing id (5 bytes, the first 0) varies."""
    if SOCKETS[case.socket][0] == "ROUTER":
        first, dot, rest = line.partition(".")
        if len(first) == 10 and first.startswith("00"):
            return "<id>" + dot + rest
    return line


def normalize_reply(reply: bytes, case: Case) -> str:
    """The reply in hex; after a CURVE server's greeting, frames by command
    name and size."""
    if SOCKETS[case.socket][1] != "CURVE" or len(reply) <= 64:
        return reply.hex()
    out, rest = [reply[:64].hex()], reply[64:]
    while rest:
        if len(rest) < 2 or (rest[0] & 2 and len(rest) < 9):
            out.append(f"<partial {len(rest)}>")
            break
        size, head = (int.from_bytes(rest[1:9], "big"), 9) if rest[0] & 2 else (rest[1], 2)
        body = rest[head:head + size]
        if len(body) < size:
            out.append(f"<partial {len(rest)}>")
            break
        name = body[1:1 + body[0]] if rest[0] & 4 and body else b""
        if name == b"ERROR":
            out.append(rest[:head + size].hex())
        else:
            out.append(f"<{rest[0]:02x} {name.decode(errors='replace')} {size}>")
        rest = rest[head + size:]
    return " | ".join(out)


# zmq.h's handshake events, as the monitor reports them.
EVENTS = {0x1000: "SUCCEEDED", 0x0800: "FAILED_NO_DETAIL", 0x2000: "FAILED_PROTOCOL",
          0x4000: "FAILED_AUTH"}


def event_name(event: int, value: int) -> str:
    name = EVENTS.get(event, f"{event:#x}")
    return f"{name}:{value:#x}" if event == 0x2000 else f"{name}:{value}"


def load_extra(dirs: list[Path], limit: int) -> list[corpus.Stream]:
    out = []
    for d in dirs:
        if not d.is_dir():
            setup_error(f"--corpus {d}: not a directory")
        files = sorted(x for x in d.rglob("*") if x.is_file())
        if limit and len(files) > limit:
            # An even spread over the sorted names: the same files each run.
            files = [files[i * len(files) // limit] for i in range(limit)]
        for p in files:
            data = p.read_bytes()
            out.append(corpus.Stream(f"extra/{d.name}", str(p.relative_to(d)), (data,),
                                     corpus.DEFAULT_SOCKETS))
    return out


def frames_after_ready(step: bytes) -> int:
    """How many whole ZMTP 3 frames follow a NULL READY command in `step`
    (a greeting first): a peer that sends READY and messages in one write."""
    if len(step) < 64 or step[:1] != b"\xff" or step[12:16] != b"NULL":
        return 0
    rest, seen_ready, after = step[64:], False, 0
    while len(rest) >= 2:
        long = rest[0] & 2
        if long and len(rest) < 9:
            break
        size, head = (int.from_bytes(rest[1:9], "big"), 9) if long else (rest[1], 2)
        if len(rest) < head + size:
            break
        body = rest[head:head + size]
        if seen_ready:
            after += 1
        elif rest[0] & 4 and body[:6] == b"\x05READY":
            seen_ready = True
        rest = rest[head + size:]
    return after


def ends_with_ready(c: Case) -> bool:
    """The stream (a NULL handshake, any side) ends right after the READY
    and the raw side then shuts down: mode close."""
    data = c.stream.data
    at = data.rfind(b"\x05READY")
    return (c.mode == "close" and at >= 64 + 2 and data[12:16] == b"NULL"
            and data[at - 2] & 4 and not data[at - 2] & 2 and at - 2 + 2 + data[at - 1] == len(data))


# Known differences recognised by their stream rather than by name: a
# pattern "@name" in known-differences.txt.
PREDICATES = {
    "@pipelined": lambda c: frames_after_ready(c.stream.steps[0]) > 0,
    "@ready-then-eof": ends_with_ready,
}


def load_known() -> list[tuple[str, str]]:
    known = []
    if KNOWN.is_file():
        for line in KNOWN.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                pattern, _, reason = line.partition(" ")
                known.append((pattern, reason.strip()))
    return known


# ---- one batch ---------------------------------------------------------------

class Peer:
    """A peer process with one bound socket per case."""

    def __init__(self, exe: Path, cases: list[Case], listen_ports: list[int]):
        self.proc = subprocess.Popen([str(exe)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        lines = []
        for i, c in enumerate(cases):
            t, mech, maxmsg = SOCKETS[c.socket]
            port = f" {listen_ports[i]}" if listen_ports[i] else ""
            if c.socket.endswith("-noreconnect"):
                port += " noreconnect"
            lines.append(f"SOCK {i} {t} {mech} {maxmsg}{port}\n")
        self.proc.stdin.write("".join(lines) + "GO\n")
        self.proc.stdin.flush()
        self.ports: list[int] = [0] * len(cases)
        self.messages: list[list[str]] = [[] for _ in cases]
        self.events: list[list[str]] = [[] for _ in cases]

    def _lines(self, until: str):
        deadline = time.monotonic() + PEER_TIMEOUT
        timer = threading.Timer(PEER_TIMEOUT, self.proc.kill)
        timer.start()
        try:
            for line in self.proc.stdout:
                line = line.rstrip("\n")
                if line == until:
                    return
                yield line
        finally:
            timer.cancel()
        err = self.proc.stderr.read()
        late = " (timed out)" if time.monotonic() >= deadline else ""
        raise RuntimeError(f"peer exited before {until}{late}: {err.strip()}")

    def wait_ready(self) -> None:
        for line in self._lines("READY"):
            _, idx, port = line.split()
            self.ports[int(idx)] = int(port)

    def dump(self) -> None:
        try:
            self.proc.stdin.write("DUMP\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise RuntimeError(f"peer died: {self.proc.stderr.read().strip()}") from None
        for line in self._lines("END"):
            kind, idx, rest = line.split(" ", 2)
            if kind == "EVT":
                event, value = rest.split()
                self.events[int(idx)].append(event_name(int(event), int(value)))
            else:
                self.messages[int(idx)].append(rest)
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=PEER_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


ACCEPT_TIMEOUT = 5.0   # s for a connecting socket to reach the driver


class Conn:
    """The raw peer of one case on one library: a client that connects to
    the bound socket's port, or a server that accepts the connecting
    socket on `listener`."""

    def __init__(self, case: Case, port: int, window: float,
                 listener: socket.socket | None = None):
        self.case = case
        self.steps = list(case.stream.steps)
        self.window = window
        self.out = Outcome()
        self.reply = bytearray()
        self.pending = b""
        self.next_step_at: float | None = None
        self.deadline: float | None = None
        self.connected = False
        self.done = False
        self.registered = True
        self.listener = listener
        if listener is not None:
            self.sock = listener
            self.deadline = time.monotonic() + ACCEPT_TIMEOUT
            return
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        rc = self.sock.connect_ex(("127.0.0.1", port))
        if rc not in (0, errno.EINPROGRESS):
            raise RuntimeError(f"connect to port {port}: {os.strerror(rc)}")

    def accept(self, sel: selectors.BaseSelector, now: float) -> None:
        """The connecting socket arrived: serve it the stream."""
        try:
            sock, _ = self.listener.accept()
        except BlockingIOError:
            return
        sel.unregister(self.listener)
        self.listener.close()
        self.listener = None
        self.sock = sock
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        sel.register(self.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, self)
        self.deadline = None
        self.connected = True
        self.start_step(now)

    def start_step(self, now: float) -> None:
        self.pending = self.steps.pop(0)
        index = len(self.case.stream.steps) - len(self.steps) - 1
        if self.case.stream.dynamic is not None and index > 0:
            self.pending = self.case.stream.dynamic(index, bytes(self.reply)) or b""
        self.flush(now)

    def flush(self, now: float) -> None:
        try:
            while self.pending:
                n = self.sock.send(self.pending)
                self.pending = self.pending[n:]
        except BlockingIOError:
            return
        except OSError:
            self.pending = b""
            self.finish("reset")
            return
        if self.steps:
            self.next_step_at = now + STEP_PAUSE
        else:
            if self.case.mode == "close":
                try:
                    self.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            self.deadline = now + self.window

    def on_writable(self, now: float) -> None:
        if not self.connected:
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise RuntimeError(f"connect: {os.strerror(err)}")
            self.connected = True
            self.start_step(now)
        elif self.pending:
            self.flush(now)

    def on_readable(self) -> None:
        try:
            data = self.sock.recv(READ_CAP)
        except BlockingIOError:
            return
        except OSError:
            self.finish("reset")
            return
        if not data:
            self.finish("eof")
        elif len(self.reply) < READ_CAP:
            self.reply += data

    def on_time(self, now: float) -> None:
        if self.done:
            return
        if self.listener is not None:
            if now >= self.deadline:
                self.finish("never-connected")
            return
        if self.next_step_at is not None and now >= self.next_step_at:
            self.next_step_at = None
            self.start_step(now)
        elif self.deadline is not None and now >= self.deadline:
            self.done = True

    def finish(self, how: str) -> None:
        self.out.closed = how
        self.done = True

    def wants_write(self) -> bool:
        return self.listener is None and (not self.connected or bool(self.pending))


def listener() -> socket.socket:
    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.bind(("127.0.0.1", 0))
    lsn.listen(1)
    lsn.setblocking(False)
    return lsn


def run_batch(peers: dict[str, Path], cases: list[Case], window: float) -> dict[str, list[Outcome]]:
    # The listeners of connecting sockets exist before their peer starts.
    listeners = {name: [listener() if connects(c.socket) else None for c in cases]
                 for name in peers}
    ports = {name: [lsn.getsockname()[1] if lsn else 0 for lsn in ls]
             for name, ls in listeners.items()}
    procs = {name: Peer(exe, cases, ports[name]) for name, exe in peers.items()}
    try:
        for p in procs.values():
            p.wait_ready()
        conns = {name: [Conn(c, p.ports[i], window, listeners[name][i])
                        for i, c in enumerate(cases)]
                 for name, p in procs.items()}
        everyone = [c for cs in conns.values() for c in cs]
        sel = selectors.DefaultSelector()
        for c in everyone:
            events = selectors.EVENT_READ
            if c.listener is None:
                events |= selectors.EVENT_WRITE
            sel.register(c.sock, events, c)
        live = len(everyone)
        while live:
            for key, ev in sel.select(timeout=0.01):
                c = key.data
                now = time.monotonic()
                if c.listener is not None:
                    c.accept(sel, now)
                    continue
                if ev & selectors.EVENT_WRITE and not c.done:
                    c.on_writable(now)
                if ev & selectors.EVENT_READ and not c.done:
                    c.on_readable()
            now = time.monotonic()
            live = 0
            for c in everyone:
                c.on_time(now)
                if c.done:
                    if c.registered:
                        sel.unregister(c.sock)
                        c.registered = False
                else:
                    live += 1
                    want = selectors.EVENT_READ
                    if c.wants_write():
                        want |= selectors.EVENT_WRITE
                    if sel.get_key(c.sock).events != want:
                        sel.modify(c.sock, want, c)
        sel.close()
        for p in procs.values():
            p.dump()
        result = {}
        for name, cs in conns.items():
            for i, c in enumerate(cs):
                c.out.reply = bytes(c.reply)
                c.out.messages = procs[name].messages[i]
                c.out.events = procs[name].events[i]
                c.sock.close()
            result[name] = [c.out for c in cs]
        return result
    finally:
        for p in procs.values():
            p.kill()


def run_all(peers: dict[str, Path], cases: list[Case], window: float, batch: int,
            verbose: bool) -> dict[Case, dict[str, Outcome]]:
    out: dict[Case, dict[str, Outcome]] = {}
    for start in range(0, len(cases), batch):
        chunk = cases[start:start + batch]
        t0 = time.monotonic()
        r = run_batch(peers, chunk, window)
        for i, c in enumerate(chunk):
            out[c] = {name: r[name][i] for name in r}
        if verbose:
            print(f"  batch {start // batch + 1}: {len(chunk)} cases in "
                  f"{time.monotonic() - t0:.1f} s", flush=True)
    return out


# ---- capture ------------------------------------------------------------------

def capture_curve_hello(peers: dict[str, Path]) -> None:
    """Records the reference CURVE client's greeting and HELLO."""
    lsn = socket.socket()
    lsn.bind(("127.0.0.1", 0))
    lsn.listen(1)
    lsn.settimeout(10)
    proc = subprocess.Popen([str(peers["ref"])], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    proc.stdin.write(f"CURVECLIENT {lsn.getsockname()[1]}\nGO\n")
    proc.stdin.flush()
    conn, _ = lsn.accept()
    conn.settimeout(10)
    conn.sendall(corpus.greeting(b"CURVE", as_server=1))
    got = b""
    while len(got) < 64 + 2 + 200:
        data = conn.recv(4096)
        if not data:
            break
        got += data
    proc.stdin.write("DUMP\n")
    proc.stdin.close()
    proc.wait(timeout=10)
    print("CURVE_HELLO = bytes.fromhex(")
    for i in range(0, len(got), 32):
        print(f'    "{got[i:i + 32].hex()}"')
    print(")")


# ---- main -------------------------------------------------------------------------

def describe(o: Outcome, case: Case) -> str:
    msgs = [normalize_message(m, case) for m in o.messages]
    return (f"closed={o.closed} reply={normalize_reply(o.reply, case) or '-'} "
            f"messages={msgs} events={o.events}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--lib", type=Path, default=REPO / "target" / "release",
                    help="directory of our libzmq.so (default target/release)")
    ap.add_argument("--corpus", type=Path, action="append", default=[],
                    help="a directory of extra streams (every file is one)")
    ap.add_argument("--only", action="append", default=[],
                    help="run only cases whose id matches this glob (repeatable)")
    ap.add_argument("--no-builtin", action="store_true", help="only the --corpus streams")
    ap.add_argument("--corpus-limit", type=int, default=0, metavar="N",
                    help="at most N files of each --corpus directory (an even spread)")
    ap.add_argument("--lock", type=Path, help="flock this file while compiling")
    ap.add_argument("--batch", type=int, default=BATCH)
    ap.add_argument("--window", type=float, default=WINDOW)
    ap.add_argument("--list", action="store_true", help="list the case ids and exit")
    ap.add_argument("--capture-curve-hello", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print batches, and every case's outcome with --only")
    args = ap.parse_args()

    streams = [] if args.no_builtin else corpus.build()
    streams += load_extra(args.corpus, args.corpus_limit)
    cases = [Case(s, sock, mode) for s in streams for sock in s.sockets for mode in MODES]
    if args.only:
        cases = [c for c in cases if any(fnmatch.fnmatchcase(c.id, g) for g in args.only)]
    if args.list:
        for c in cases:
            print(c.id)
        return 0

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 4 * args.batch + 64
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))

    peers = build(args)
    if args.capture_curve_hello:
        capture_curve_hello(peers)
        return 0

    t0 = time.monotonic()
    results = run_all(peers, cases, args.window, args.batch, args.verbose)
    differing = [c for c in cases if not same(c, results[c]["ours"], results[c]["ref"])]
    flaky: list[Case] = []
    first: dict[Case, dict[str, Outcome]] = {}
    if differing:
        # Again, with more time: a difference must be reproducible.
        again = run_all(peers, differing, RETRY_WINDOW, args.batch, args.verbose)
        flaky = [c for c in differing if same(c, again[c]["ours"], again[c]["ref"])]
        first = {c: results[c] for c in flaky}
        for c in differing:
            results[c] = again[c]
        differing = [c for c in differing if c not in flaky]

    # Equal only through the prefix rule of same(): reported, not hidden.
    by_prefix = [c for c in cases if c not in differing
                 and results[c]["ours"].key(c) != results[c]["ref"].key(c)]
    known_patterns = load_known()
    known, unknown = [], []
    for c in differing:
        reason = next((r for g, r in known_patterns
                       if (PREDICATES[g](c) if g in PREDICATES else fnmatch.fnmatchcase(c.id, g))),
                      None)
        (known if reason is not None else unknown).append((c, reason))
    for c, reason in known + unknown:
        tag = "KNOWN" if reason is not None else "DIFFERENT"
        print(f"{tag} {c.id}" + (f"  ({reason})" if reason else ""))
        if reason is None or args.verbose:
            print(f"    stream {c.stream.data.hex()}")
            for name in ("ours", "ref"):
                print(f"    {name:4} {describe(results[c][name], c)}")
    if args.verbose and args.only:
        for c in cases:
            if c not in differing:
                print(f"same {c.id}: {describe(results[c]['ref'], c)}")
    if args.verbose:
        for c in by_prefix:
            print(f"note: {c.id}: the replies agree up to where one connection ended")
        for c in flaky:
            print(f"note: {c.id} differed once, then not (timing); the first time:")
            for name in ("ours", "ref"):
                print(f"    {name:4} {describe(first[c][name], c)}")
    sockets = sorted({c.socket for c in cases})
    streams = {c.stream.id for c in cases}
    identical = len(cases) - len(differing)
    print(f"differential: {len(streams)} streams x {len(sockets)} sockets, {identical} identical, "
          f"{len(unknown)} different, {len(known)} known ({len(cases)} cases, {len(by_prefix)} "
          f"with one reply cut short by the close, {len(flaky)} equal only when run again, "
          f"{time.monotonic() - t0:.0f} s)")
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main())
