#!/usr/bin/env python3
"""Interop: our libzmq.so against the reference libzmq 4.3.5, process to process.

tests/interop/peer.c is one side of a scenario, written against the stable
zmq.h. This driver

1. builds the reference libzmq (tools/build-reference-libzmq.sh: cmake,
   the zeromq-src 0.3.6+4.3.5 sources, into target/reference/; a no-op when
   it is there already);
2. compiles peer.c twice into target/interop/: `ref/peer` against the
   reference's zmq.h and libzmq.so.5, `ours/peer` against include/zmq.h and
   target/release/libzmq.so (each with an rpath; each peer reports the
   library it really runs with and the driver checks it);
3. runs every scenario as one ours process against one reference process,
   in parallel, each with a deadline (a hang is a TIMEOUT naming what each
   side was waiting for), and every message is checked byte for byte by
   its receiver;
4. prints one line per scenario and the summary
   `interop: N scenarios, P passed, F failed, K known failures`.

Scenarios (see --list):
  basic/PATTERN/TRANSPORT/ours-TYPE-bind|connect
      8 patterns (PAIR, REQ/REP, DEALER/ROUTER, PUB/SUB, XPUB/XSUB,
      PUSH/PULL, and the mixed envelopes REQ/ROUTER, DEALER/REP) x tcp, ipc x our socket is either type x ours binds or
      connects: the full message set (bodies of 0, 1, 33, 34, 255, 256
      bytes, 1 MiB and 64 MiB, multipart with empty frames), both ways where
      the pattern answers.
  restart/...  the first 6 patterns' matrix with the reference peer killed (SIGKILL)
      after round 1 and started again on the same endpoint: round 2 must
      flow with the pattern's semantics (SUB subscriptions are resent,
      ROUTER routes to the new DEALER, ...).
  plain/... and curve/...  REQ/REP, DEALER/ROUTER, PUB/SUB, PUSH/PULL
      over PLAIN and CURVE (the binder is the server and runs a ZAP handler
      thread; every content frame it receives must carry the User-Id and
      the metadata property the handler gave, the client's none), tcp and
      ipc, both libraries on both sides (REQ/REP: only the REP is server).
  deny/CASE/...  a wrong PLAIN password, a CURVE client key the handler
      answers 400, a wrong CURVE server key (DEALER client, ROUTER server,
      ours either): nothing gets through and each side's handshake events
      must be the ones libzmq 4.3.5 shows in that role (DENY_EVENTS).
  many/PATTERN/TRANSPORT/...  one socket against 100 sockets of the other
      library (ROUTER x100 DEALER, PULL x100 PUSH, PUB x100 SUB), each
      library on either side.

Known failures live in tests/interop/known-failures.txt (glob, reason);
they are reported as KNOWN-FAIL and do not fail the run; a listed scenario
that passes is reported as XPASS.

Exit status: 0 when every scenario not listed as a known failure passed,
1 otherwise, 2 on a setup error. Python 3.11, stdlib only.

Usage:
    python3 tests/interop/run.py                  # everything
    python3 tests/interop/run.py --only 'restart/pubsub/*' -v
    python3 tests/interop/run.py --list
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import dataclasses
import fcntl
import fnmatch
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
OUT = REPO / "target" / "interop"
REFERENCE = REPO / "target" / "reference"
# The same reference with wss (WITH_TLS=ON over GnuTLS): the wss rows' peer.
REFERENCE_TLS = REPO / "target" / "reference-tls"
# The wss rows' certificate: upstream test_wss_transport's, for zeromq.org.
WSS_FIXTURES = REPO / "src" / "transport" / "tls_fixtures"

# pattern -> (socket type of side a, of side b)
PATTERNS = {
    "pair": ("PAIR", "PAIR"),
    "reqrep": ("REQ", "REP"),
    "dealer-router": ("DEALER", "ROUTER"),
    "pubsub": ("PUB", "SUB"),
    "xpubxsub": ("XPUB", "XSUB"),
    "pushpull": ("PUSH", "PULL"),
    # REQ's and REP's envelope (the empty delimiter) as the other side sees it.
    "req-router": ("REQ", "ROUTER"),
    "dealer-rep": ("DEALER", "REP"),
}
BASIC_ONLY = {"req-router", "dealer-rep"}
TRANSPORTS = ("tcp", "ipc", "ws")
# wss needs the TLS reference: the basic and restart kinds run over it too.
WSS_KINDS = ("basic", "restart")
# many-peer patterns -> the side with --count sockets (it connects)
MANY = {"dealer-router": "a", "pushpull": "a", "pubsub": "b"}
MANY_COUNT = 100
# PLAIN and CURVE (the binder is the server and runs the ZAP handler).
SECURE_KINDS = ("plain", "curve")
SECURE = ("reqrep", "dealer-router", "pubsub", "pushpull")
# Only this side may be the server (bind). libzmq 4.3.5's REQ cannot be a
# ZAP server that gives a User-Id: its engine pushes the credential message
# (flags == msg_t::credential) into the session before the first reply, and
# req_session_t::push_msg, which only takes a delimiter in its `bottom`
# state, refuses it with EFAULT, so the connection drops after the request.
SECURE_SERVER_SIDE = {"reqrep": "b"}

# CURVE test keys (Z85). The server's and the client's pair are the examples
# of libzmq's doc/zmq_curve.txt (also in its tests/test_sodium.cpp and
# test_heartbeats.cpp); INTRUDER and OTHER_SERVER were made once with the
# reference's zmq_curve_keypair. The ZAP handler knows CLIENT only.
SERVER_PUBLIC = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
SERVER_SECRET = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
CLIENT_PUBLIC = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
CLIENT_SECRET = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
INTRUDER_PUBLIC = "1m/@fi#x/.GO]MU&2QVN!qg(Ou:r!fj@I4.}szpc"
INTRUDER_SECRET = "[Tkp])QTJpiZ-jnG]04Y/dtJSQ>}F[WvQV8Ow!ac"
OTHER_SERVER_PUBLIC = "hLKQ53n!yR<FBv1?<{L(Ed^UH8BXO:d]d@5C+7pj"
CURVE_USER_ID = "client-one"        # the User-Id the handler gives CLIENT

# Handshakes that must fail (DEALER client, ROUTER server; the binder is the
# server): case -> (server peer's, client peer's arguments).
DENY_ARGS = {
    "plain-wrong-password": (
        ["--plain", "server", "--allow-plain", "admin:s3cret"],
        ["--plain", "client", "--plain-user", "admin", "--plain-password", "wrong"]),
    "curve-unknown-client-key": (   # the ZAP handler answers 400
        ["--curve", "server", "--curve-public", SERVER_PUBLIC, "--curve-secret", SERVER_SECRET,
         "--allow-curve", f"{CLIENT_PUBLIC},{CURVE_USER_ID}"],
        ["--curve", "client", "--curve-public", INTRUDER_PUBLIC, "--curve-secret", INTRUDER_SECRET,
         "--curve-server-key", SERVER_PUBLIC]),
    "curve-wrong-server-key": (     # the server cannot open the client's HELLO
        ["--curve", "server", "--curve-public", SERVER_PUBLIC, "--curve-secret", SERVER_SECRET,
         "--allow-curve", f"{CLIENT_PUBLIC},{CURVE_USER_ID}"],
        ["--curve", "client", "--curve-public", CLIENT_PUBLIC, "--curve-secret", CLIENT_SECRET,
         "--curve-server-key", OTHER_SERVER_PUBLIC]),
}
# What libzmq 4.3.5's monitors show in each case (ZMQ_EVENT_HANDSHAKE_*,
# value), as run.py --lib target/reference/lib finds it; ours must show the
# same set of handshake events in the same role. Every attempt (the client
# reconnects) shows the same.
# The PLAIN and CURVE servers report the handler's 400 and send an ERROR
# command with it, which the client reports in turn. A CURVE server that
# cannot open the HELLO box reports ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC
# and closes the connection, which the client, still handshaking, reports
# with errno EPIPE (32).
DENY_EVENTS: dict[str, dict[str, set[tuple[str, int]]]] = {
    "plain-wrong-password": {"server": {("HANDSHAKE_FAILED_AUTH", 400)},
                             "client": {("HANDSHAKE_FAILED_AUTH", 400)}},
    "curve-unknown-client-key": {"server": {("HANDSHAKE_FAILED_AUTH", 400)},
                                 "client": {("HANDSHAKE_FAILED_AUTH", 400)}},
    "curve-wrong-server-key": {"server": {("HANDSHAKE_FAILED_PROTOCOL", 0x11000001)},
                               "client": {("HANDSHAKE_FAILED_NO_DETAIL", 32)}},
}

def deny_events(case: str, part: str, transport: str) -> set[tuple[str, int]]:
    """DENY_EVENTS for one role; over ws libzmq also reports the HTTP
    upgrade as HANDSHAKE_SUCCEEDED (value 0) before the ZMTP failure."""
    want = set(DENY_EVENTS[case][part])
    if transport == "ws":
        want.add(("HANDSHAKE_SUCCEEDED", 0))
    return want


# Per blocking call inside a peer, and per scenario for the driver. The
# security kinds' is short: a refused handshake only ever reaches it.
OP_TIMEOUT_MS = {"basic": 8000, "restart": 8000, "many": 8000, "plain": 3000, "curve": 3000,
                 "deny": 3000}
SCENARIO_TIMEOUT = {"basic": 40.0, "restart": 40.0, "many": 60.0, "plain": 40.0, "curve": 40.0,
                    "deny": 40.0}


@dataclasses.dataclass(frozen=True)
class Scenario:
    kind: str            # basic, restart, many
    pattern: str
    transport: str
    ours_side: str       # "a" or "b"
    ours_binds: bool
    case: str = ""       # deny: a key of DENY_ARGS

    @property
    def ref_side(self) -> str:
        return "b" if self.ours_side == "a" else "a"

    def label(self, side: str) -> str:
        t = PATTERNS[self.pattern][0 if side == "a" else 1]
        if self.pattern == "pair":
            t += side
        if self.kind == "many" and MANY[self.pattern] == side:
            t += f"x{MANY_COUNT}"
        return t

    @property
    def name(self) -> str:
        how = "bind" if self.ours_binds else "connect"
        what = self.case if self.kind == "deny" else self.pattern
        return f"{self.kind}/{what}/{self.transport}/ours-{self.label(self.ours_side)}-{how}"


def all_scenarios() -> list[Scenario]:
    out = []
    for kind in ("basic", "restart"):
        for pattern in PATTERNS:
            if kind != "basic" and pattern in BASIC_ONLY:
                continue
            for transport in TRANSPORTS + (("wss",) if kind in WSS_KINDS else ()):
                for side in "ab":
                    for binds in (True, False):
                        out.append(Scenario(kind, pattern, transport, side, binds))
    for kind in SECURE_KINDS:
        for pattern in SECURE:
            for transport in TRANSPORTS:
                for side in "ab":
                    for binds in (True, False):
                        server_side = side if binds else ("b" if side == "a" else "a")
                        if SECURE_SERVER_SIDE.get(pattern, server_side) != server_side:
                            continue
                        out.append(Scenario(kind, pattern, transport, side, binds))
    for case in DENY_ARGS:
        for transport in TRANSPORTS:
            # The ROUTER binds and is the server: ours is the server or the client.
            for ours_server in (True, False):
                out.append(Scenario("deny", "dealer-router", transport,
                                    "b" if ours_server else "a", ours_server, case))
    for pattern, multi in MANY.items():
        for transport in TRANSPORTS:
            for side in "ab":
                # The single socket binds, the hundred connect to it.
                out.append(Scenario("many", pattern, transport, side, side != multi))
    return out


def read_known_failures(path: Path) -> list[tuple[str, str]]:
    known = []
    if not path.exists():
        return known
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        glob, _, reason = line.partition(" ")
        known.append((glob, reason.strip() or "(no reason given)"))
    return known


def known_reason(name: str, known: list[tuple[str, str]]) -> str | None:
    for glob, reason in known:
        if fnmatch.fnmatchcase(name, glob):
            return reason
    return None


# ---- building --------------------------------------------------------------

@contextlib.contextmanager
def build_lock(lockfile: Path | None):
    if lockfile is None:
        yield
        return
    with open(lockfile, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def setup_error(msg: str) -> None:
    print(f"interop: setup error: {msg}", file=sys.stderr)
    sys.exit(2)


def build_reference(lockfile: Path | None, tls: bool = False) -> None:
    cmd = [str(REPO / "tools" / "build-reference-libzmq.sh")] + (["--tls"] if tls else [])
    with build_lock(lockfile):
        r = subprocess.run(cmd)
    if r.returncode != 0:
        setup_error(f"{' '.join(cmd)} failed")


def compile_peer(flavor: str, include: Path, libdir: Path, lockfile: Path | None) -> Path:
    exe = OUT / flavor / "peer"
    cc = os.environ.get("CC", "cc")
    cmd = [cc, "-std=gnu99", "-O2", "-pthread", "-Wall", "-Wextra", "-Werror",
           "-I", str(include), str(HERE / "peer.c"), "-o", str(exe),
           "-L", str(libdir), f"-Wl,-rpath,{libdir}", "-lzmq", "-ldl"]
    with build_lock(lockfile):
        r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        setup_error(f"compiling peer.c ({flavor}) failed:\n{' '.join(cmd)}\n{r.stderr}")
    return exe


@dataclasses.dataclass
class Flavor:
    name: str            # "ours" or "ref"
    exe: Path
    lib: Path            # the resolved libzmq.so.5 it must run with


def build(args: argparse.Namespace) -> dict[str, Flavor]:
    ours_lib = (args.lib / "libzmq.so").resolve()
    if not ours_lib.is_file():
        setup_error(f"{args.lib}/libzmq.so missing: run `cargo build --release` first")
    if not args.no_reference_build:
        build_reference(args.lock)
        if args.wss:
            build_reference(args.lock, tls=True)
    ref_lib = (REFERENCE / "lib" / "libzmq.so.5").resolve()
    if not ref_lib.is_file():
        setup_error(f"{REFERENCE}/lib/libzmq.so.5 missing")
    # A private directory where -lzmq and the SONAME libzmq.so.5 are ours.
    ours_dir = OUT / "ours" / "lib"
    ours_dir.mkdir(parents=True, exist_ok=True)
    (OUT / "ref").mkdir(parents=True, exist_ok=True)
    for link in ("libzmq.so", "libzmq.so.5"):
        p = ours_dir / link
        if p.is_symlink() or p.exists():
            p.unlink()
        p.symlink_to(ours_lib)
    flavors = {
        "ours": Flavor("ours", compile_peer("ours", REPO / "include", ours_dir, args.lock), ours_lib),
        "ref": Flavor("ref", compile_peer("ref", REFERENCE / "include", REFERENCE / "lib", args.lock),
                      ref_lib),
    }
    tls_lib = REFERENCE_TLS / "lib" / "libzmq.so.5"
    if args.wss:
        if not tls_lib.is_file():
            setup_error(f"{tls_lib} missing: run tools/build-reference-libzmq.sh --tls")
        (OUT / "ref-tls").mkdir(parents=True, exist_ok=True)
        flavors["ref-tls"] = Flavor(
            "ref-tls", compile_peer("ref-tls", REFERENCE_TLS / "include", REFERENCE_TLS / "lib",
                                    args.lock), tls_lib.resolve())
    return flavors


# ---- running one scenario ------------------------------------------------------

class ScenarioFailed(Exception):
    pass


class Peer:
    """One peer process; its stdout lines go to the scenario's queue."""

    def __init__(self, role: str, flavor: Flavor, args: list[str], logdir: Path,
                 events: queue.Queue, env: dict[str, str]):
        self.role = role                  # "ours" or "ref"
        self.flavor = flavor
        self.args = args
        self.lines: list[str] = []
        self.events: set[tuple[str, int]] = set()     # deny: handshake events
        self.t0 = time.monotonic()
        self.ok = False
        self.exited = False
        self.killed = False
        n = len(list(logdir.glob(f"{role}*.stderr")))
        self.stderr_path = logdir / f"{role}{'' if n == 0 else n + 1}.stderr"
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen([str(flavor.exe)] + args, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                     bufsize=1, env=env)
        self.thread = threading.Thread(target=self._pump, args=(events,), daemon=True)
        self.thread.start()

    def _pump(self, events: queue.Queue) -> None:
        for line in self.proc.stdout:
            events.put((self, line.rstrip("\n")))
        events.put((self, None))

    def send(self, line: str) -> None:
        with contextlib.suppress(BrokenPipeError, OSError, ValueError):
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()

    def kill(self) -> None:
        self.killed = True
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill()
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        self.thread.join(timeout=5)
        self.proc.stdout.close()
        self.stderr.close()

    def describe(self, all_lines: bool = False) -> str:
        err = self.stderr_path.read_text(errors="replace").strip() if self.stderr_path.exists() else ""
        tail = " | ".join(self.lines if all_lines else self.lines[-4:])
        state = "running" if self.proc.poll() is None else f"exit {self.proc.returncode}"
        out = f"  {self.role} ({' '.join(self.args)}): {state}; last output: {tail or '-'}"
        if err:
            out += "\n" + "\n".join("    " + l for l in err.splitlines()[-6:])
        return out


@dataclasses.dataclass
class Result:
    scenario: Scenario
    passed: bool
    seconds: float
    detail: str = ""
    trace: str = ""
    known: str | None = None


class Run:
    """The state machine of one scenario: start the binder, then the
    connector once the bound endpoint is known; forward `sig` lines; for a
    restart, kill the reference after round 1 and start it again."""

    def __init__(self, sc: Scenario, flavors: dict[str, Flavor], ipc_dir: Path, index: int,
                 big: bool):
        self.sc = sc
        self.flavors = flavors
        self.events: queue.Queue = queue.Queue()
        self.logdir = OUT / "logs" / sc.name.replace("/", "_")
        shutil.rmtree(self.logdir, ignore_errors=True)
        self.logdir.mkdir(parents=True)
        self.bind_ep = {"ipc": f"ipc://{ipc_dir}/{index}.ipc",
                        "ws": "ws://127.0.0.1:*",
                        "wss": "wss://127.0.0.1:*"}.get(sc.transport, "tcp://127.0.0.1:*")
        self.endpoint: str | None = None       # the binder's resolved endpoint
        self.big = big
        self.current: dict[str, Peer] = {}
        self.all: list[Peer] = []
        self.phase1_done: set[str] = set()
        self.restarted = False
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}

    def peer_args(self, role: str, endpoint_args: list[str], phase: int) -> list[str]:
        sc = self.sc
        side = sc.ours_side if role == "ours" else sc.ref_side
        a = ["--pattern", sc.pattern, "--side", side, "--scenario", sc.kind,
             "--timeout-ms", str(OP_TIMEOUT_MS[sc.kind])] + endpoint_args
        if sc.transport == "wss":
            a += ["--wss-cert", str(WSS_FIXTURES / "zeromq_org.cert.pem"),
                  "--wss-key", str(WSS_FIXTURES / "zeromq_org.key.pem")]
        if sc.kind == "restart":
            a += ["--phase", str(phase)]
        if sc.kind == "many":
            a += ["--count", str(MANY_COUNT)]
        if sc.kind == "basic" and self.big:
            a.append("--big")
        server = endpoint_args[0] == "--bind"
        if sc.kind == "plain" and server:
            a += ["--plain", "server", "--allow-plain", "admin:s3cret", "--user-id", "admin"]
        elif sc.kind == "plain":
            a += ["--plain", "client", "--plain-user", "admin", "--plain-password", "s3cret",
                  "--no-user-id"]
        elif sc.kind == "curve" and server:
            a += ["--curve", "server", "--curve-public", SERVER_PUBLIC,
                  "--curve-secret", SERVER_SECRET,
                  "--allow-curve", f"{CLIENT_PUBLIC},{CURVE_USER_ID}", "--user-id", CURVE_USER_ID]
        elif sc.kind == "curve":
            a += ["--curve", "client", "--curve-public", CLIENT_PUBLIC,
                  "--curve-secret", CLIENT_SECRET, "--curve-server-key", SERVER_PUBLIC,
                  "--no-user-id"]
        elif sc.kind == "deny":
            a += DENY_ARGS[sc.case][0 if server else 1]
            want = DENY_EVENTS[sc.case]["client"]
            if not server and want:
                # The failure, not the ws upgrade's success.
                a += ["--await-event", sorted(want)[0][0]]
        return a

    def start(self, role: str, binds: bool, phase: int) -> None:
        ep = ["--bind", self.endpoint or self.bind_ep] if binds else ["--connect", self.endpoint]
        # The wss rows' reference is the one built with TLS.
        flavor = self.flavors["ref-tls" if role == "ref" and self.sc.transport == "wss" else role]
        p = Peer(role, flavor, self.peer_args(role, ep, phase), self.logdir, self.events,
                 self.env)
        self.current[role] = p
        self.all.append(p)

    def binder(self) -> str:
        return "ours" if self.sc.ours_binds else "ref"

    def connector(self) -> str:
        return "ref" if self.sc.ours_binds else "ours"

    def other(self, role: str) -> str:
        return "ref" if role == "ours" else "ours"

    def restart_reference(self) -> None:
        old = self.current["ref"]
        old.kill()
        self.restarted = True
        self.start("ref", binds=self.binder() == "ref", phase=2)

    def handle(self, peer: Peer, line: str | None) -> None:
        if peer.killed or peer is not self.current.get(peer.role):
            return                              # the killed reference
        if line is None:
            peer.proc.wait()
            peer.exited = True
            if peer.proc.returncode != 0 or not peer.ok:
                raise ScenarioFailed(f"{peer.role} peer failed (exit {peer.proc.returncode})")
            return
        peer.lines.append(f"{time.monotonic() - peer.t0:.2f}s {line}")
        word, _, rest = line.partition(" ")
        if word == "lib":
            if Path(rest).resolve() != peer.flavor.lib:
                raise ScenarioFailed(f"{peer.role} peer runs with {rest}, not {peer.flavor.lib}")
        elif word == "endpoint":
            if self.endpoint is None:
                self.endpoint = rest
                self.start(self.connector(), binds=False, phase=0 if self.connector() == "ours" else 1)
        elif word == "sig":
            other = self.current.get(self.other(peer.role))
            if other is None:
                raise ScenarioFailed(f"{peer.role} signalled '{rest}' before its peer started")
            other.send(line)
        elif word == "phase1-done":
            self.phase1_done.add(peer.role)
            if self.phase1_done == {"ours", "ref"}:
                self.current["ref"].kill()
        elif word == "peer-gone":
            # The survivor saw the reference's connection drop.
            if self.phase1_done != {"ours", "ref"} or self.restarted:
                raise ScenarioFailed(f"{peer.role} lost its peer before round 1 was over")
            self.restart_reference()
        elif word == "event" and self.sc.kind == "deny":
            name, _, value = rest.partition(" ")
            peer.events.add((name, int(value)))
        elif word == "ok":
            peer.ok = True
        else:
            raise ScenarioFailed(f"{peer.role} peer said something unexpected: {line!r}")

    def finished(self) -> bool:
        return (len(self.current) == 2
                and all(p.exited and p.ok for p in self.current.values()))

    def execute(self) -> str:
        deadline = time.monotonic() + SCENARIO_TIMEOUT[self.sc.kind]
        binder = self.binder()
        self.start(binder, binds=True, phase=0 if binder == "ours" else 1)
        while not self.finished():
            left = deadline - time.monotonic()
            if left <= 0:
                raise ScenarioFailed(f"TIMEOUT after {SCENARIO_TIMEOUT[self.sc.kind]:.0f} s")
            try:
                peer, line = self.events.get(timeout=left)
            except queue.Empty:
                continue
            self.handle(peer, line)
        if self.sc.kind == "deny":
            self.check_deny_events()
        counts = []
        for role in ("ours", "ref"):
            n, size = self.current[role].lines[-1].split()[2:4]
            counts.append(f"{role} checked {n} msgs/{int(size) / 1e6:.1f} MB")
        return ", ".join(counts)

    def check_deny_events(self) -> None:
        """Each side's set of handshake events against libzmq 4.3.5's."""
        def show(events):
            return ", ".join(f"{n} {v}" for n, v in sorted(events)) or "none"
        wrong = []
        for role, peer in self.current.items():
            part = "server" if (role == "ours") == self.sc.ours_binds else "client"
            want = deny_events(self.sc.case, part, self.sc.transport)
            if peer.events != want:
                wrong.append(f"{role} as the {part} saw {show(peer.events)}; "
                             f"libzmq 4.3.5 shows {'?' if want is None else show(want)}")
        if wrong:
            raise ScenarioFailed("handshake events: " + "; ".join(wrong))

    def close(self) -> None:
        for p in self.all:
            p.close()

    def describe(self, all_lines: bool = False) -> str:
        return "\n".join(p.describe(all_lines) for p in self.all)


def run_scenario(sc: Scenario, flavors: dict[str, Flavor], ipc_dir: Path, index: int,
                 big: bool) -> Result:
    t0 = time.monotonic()
    run = Run(sc, flavors, ipc_dir, index, big)
    try:
        detail = run.execute()
        ok = True
    except ScenarioFailed as e:
        ok = False
        run.close()
        detail = f"{e}\n{run.describe()}"
    except Exception as e:                  # the driver's own fault: still a result
        ok = False
        run.close()
        detail = f"driver error: {e!r}\n{run.describe()}"
    finally:
        run.close()
    trace = run.describe(all_lines=True)
    if ok:
        shutil.rmtree(run.logdir, ignore_errors=True)
    return Result(sc, ok, time.monotonic() - t0, detail, trace)


# ---- the whole run ---------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lib", type=Path, default=REPO / "target" / "release",
                   help="directory holding our libzmq.so (default target/release)")
    p.add_argument("--only", metavar="GLOB[,GLOB]",
                   help="run the scenarios matching any glob (a plain word matches as *word*)")
    p.add_argument("--jobs", "-j", type=int, default=2 * (os.cpu_count() or 1),
                   help="scenarios in parallel (default: twice the CPUs)")
    p.add_argument("--no-big", action="store_true", help="leave out the 64 MiB message")
    p.add_argument("--verbose", "-v", action="count", default=0,
                   help="print every scenario's detail; twice: and each peer's output")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.add_argument("--lock", type=Path, metavar="FILE",
                   help="hold an exclusive flock on FILE while compiling")
    p.add_argument("--no-reference-build", action="store_true",
                   help="use target/reference (and target/reference-tls) as they are")
    p.add_argument("--no-wss", dest="wss", action="store_false",
                   help="leave out the wss rows (no TLS reference needed)")
    p.add_argument("--known-failures", type=Path, default=HERE / "known-failures.txt")
    return p.parse_args(argv)


def select(scenarios: list[Scenario], only: str | None) -> list[Scenario]:
    if not only:
        return scenarios
    globs = [g if any(c in g for c in "*?[") else f"*{g}*" for g in only.split(",") if g]
    return [s for s in scenarios if any(fnmatch.fnmatchcase(s.name, g) for g in globs)]


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    known = read_known_failures(args.known_failures)
    scenarios = select([s for s in all_scenarios() if args.wss or s.transport != "wss"],
                       args.only)
    if args.list:
        for s in scenarios:
            reason = known_reason(s.name, known)
            print(s.name + (f"   [known failure: {reason}]" if reason else ""))
        print(f"{len(scenarios)} scenarios")
        return 0
    if not scenarios:
        setup_error(f"no scenario matches {args.only!r}")
    t0 = time.monotonic()
    flavors = build(args)
    t_build = time.monotonic() - t0
    ipc_dir = Path(tempfile.mkdtemp(prefix="zi-", dir="/tmp"))
    results: list[Result] = []
    lock = threading.Lock()

    def report(r: Result) -> None:
        r.known = known_reason(r.scenario.name, known)
        if r.passed:
            verdict = "XPASS" if r.known else "PASS"
        else:
            verdict = "KNOWN-FAIL" if r.known else "FAIL"
        with lock:
            results.append(r)
            print(f"{verdict:<10} {r.seconds:6.2f}s  {r.scenario.name}", flush=True)
            if r.known and (args.verbose or r.passed):
                print(f"           listed in known-failures.txt: {r.known}")
            if not r.passed and (args.verbose or not r.known):
                print("\n".join("           " + l for l in r.detail.splitlines()), flush=True)
            elif args.verbose:
                print(f"           {r.detail}")
                if args.verbose > 1:
                    print(r.trace)

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(run_scenario, s, flavors, ipc_dir, i, not args.no_big)
                       for i, s in enumerate(scenarios)]
            for f in concurrent.futures.as_completed(futures):
                report(f.result())
    finally:
        shutil.rmtree(ipc_dir, ignore_errors=True)

    passed = sum(r.passed for r in results)
    failed = [r for r in results if not r.passed and not r.known]
    known_failed = [r for r in results if not r.passed and r.known]
    xpass = [r for r in results if r.passed and r.known]
    total = time.monotonic() - t0
    for r in xpass:
        print(f"note: {r.scenario.name} passed but is listed in known-failures.txt")
    for r in failed:
        print(f"FAILED: {r.scenario.name}")
    print(f"interop: {len(results)} scenarios, {passed} passed, {len(failed)} failed, "
          f"{len(known_failed)} known failures ({total:.0f} s, of which build {t_build:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
