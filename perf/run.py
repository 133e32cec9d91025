#!/usr/bin/env python3
"""Side-by-side performance of our libzmq.so, the reference libzmq 4.3.5 and
the raw socket floor; and instructions per message.

Builds libzmq 4.3.5's own perf programs (perf/*.cpp from the zeromq-src
0.3.6+4.3.5 crate: inproc_thr, inproc_lat, proxy_thr, local_thr, remote_thr,
local_lat, remote_lat; the networked four again over CURVE and wss with
perf/curve.h, perf/wss.h force-included) and ours in C on zmq.h
(perf/fanout_thr.c: one XPUB/PUB to --fan SUBs; perf/fanin_thr.c: --fan PUSH
to one PULL) twice, with the same compiler and flags:

    target/perf/ref/bin/    upstream zmq.h, linked to target/reference/lib
    target/perf/ours/bin/   our zmq.h,      linked to target/release

and perf/raw.c once (target/perf/raw/bin/raw): the raw floor, the same work
as local_thr/remote_thr and local_lat/remote_lat over a plain loopback tcp
or unix stream socket (ZMTP's frame headers, 8 KiB write batches, the reader
parsing frames; one blocking round trip per ping-pong), no library.

Then runs every benchmark, alternating ours, ref, raw, ours, ref, raw, ...
for N rounds (default 5), and prints the median per configuration, the
ratios, and a summary in the terms of issue 10's done-when criteria
(geomean and lowest ours/ref over inproc, tcp and ipc at 1 B-64 KiB,
latency ours/raw at 1 B and 64 B, fan-out/fan-in, curve). Convention: a
ratio > 1 always means OURS IS BETTER (throughput: ours/ref, latency:
ref/ours); ours/raw is our latency over the floor (1 is the floor).
--chart FILE.svg draws the same as an SVG (a panel per kind, a group of
bars per case: ours, ref, raw; log scale), --json keeps every run and
--from-json reports (and charts) a kept run again without running anything.

--instructions runs instead local_thr (receive) and remote_thr (send) under
valgrind --tool=callgrind for two message counts (default 120,000 and
20,000), ours and ref, and prints instructions per message, (total at the
big count - total at the small) / (big - small), so that start-up and
handshake cancel: stable to about 1% on a noisy machine, where wall-clock
ratios move by 15%. tcp 64 B for both libraries takes about 20 s.

The reference library is built with tools/build-reference-libzmq.sh when
target/reference is missing; ours with `cargo build --release` (unless --lib
is given or --no-build). A benchmark that fails, times out or hangs gives a
cell `n/a (EPROTONOSUPPORT)` (transport not implemented) or `failed (...)`
and the run goes on.

Usage (on the shared machine, hold /tmp/zmq-build.lock around whole runs):
    flock /tmp/zmq-build.lock python3 perf/run.py --no-build --markdown --chart docs/perf.svg
                                                             # the full run, ~15 min
    python3 perf/run.py --only inproc --sizes 64,1k --rounds 5
    python3 perf/run.py --quick --only tcp --sizes 64        # smoke test, seconds
    python3 perf/run.py --instructions                       # tcp 64 B, ~20 s
    python3 perf/run.py --instructions --only tcp,ipc --sizes 1,64
    python3 perf/run.py --from-json run.json --chart docs/perf.svg

Exit status: 0 when every reference run succeeded (our failures are reported,
not fatal), 1 when a reference run failed (the harness or the machine is at
fault), 2 on a setup error. Python 3.11, stdlib only.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import dataclasses
import errno
import fcntl
import hashlib
import html
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENDOR_GLOB = "registry/src/*/zeromq-src-0.3.6+4.3.5/vendor"
REFERENCE = REPO / "target" / "reference"
# The reference with wss (WITH_TLS=ON over GnuTLS): the wss rows' "ref".
REFERENCE_TLS = REPO / "target" / "reference-tls"
WSS_FIXTURES = REPO / "src" / "transport" / "tls_fixtures"
OUT = REPO / "target" / "perf"

PROGRAMS = ("inproc_thr", "inproc_lat", "proxy_thr",
            "local_thr", "remote_thr", "local_lat", "remote_lat")
# Ours, in plain C on zmq.h (perf/*.c), built for each library like
# upstream's: PUB fan-out to N SUBs and fan-in of N PUSH to one PULL.
C_PROGRAMS = ("fanout_thr", "fanin_thr")
# The raw floor (perf/raw.c): the same work over a plain socket, no library.
RAW_SOURCE = "raw.c"
# The networked programs again, built with a header force-included: the
# same code over tcp with CURVE (perf/curve.h: the binder is the server),
# and over wss (perf/wss.h: the binder serves a certificate).
CURVE_PROGRAMS = ("local_thr", "remote_thr", "local_lat", "remote_lat")
CURVE_SUFFIX = "_curve"
WSS_SUFFIX = "_wss"
# Each variant's suffix and force-included header.
VARIANTS = {CURVE_SUFFIX: "curve.h", WSS_SUFFIX: "wss.h"}
# "curve" is tcp with the CURVE mechanism; "ws" is ZWS 2.0 over tcp; "wss"
# is ws over TLS, whose reference is the one built with TLS.
TRANSPORTS = ("inproc", "tcp", "ipc", "curve", "ws", "wss")
BENCHES = ("thr", "lat", "proxy", "fanout", "fanin")
FLAVORS = ("ours", "ref")           # the order of each round
RAW = "raw"                         # the floor, run third where it applies
RAW_TRANSPORTS = ("tcp", "ipc")     # where a plain stream socket does the same work
FAN_TRANSPORTS = ("tcp", "ipc")
DEFAULT_FAN = 100                   # subscribers / pushers
DEFAULT_SIZES = (1, 64, 1024, 65536)
DEFAULT_ROUNDS = 5
# Upstream's cmake builds the perf tools in Release: -O3 -DNDEBUG. Our C
# programs get the same flags (and -std=c99).
CXXFLAGS = ["-O3", "-DNDEBUG", "-pthread"]
CFLAGS = ["-std=c99", *CXXFLAGS]
# --instructions: callgrind on local_thr/remote_thr at two message counts;
# the difference over the difference is the cost per message.
DEFAULT_INSTR_COUNTS = (120_000, 20_000)
INSTR_TRANSPORTS = ("tcp", "ipc", "curve")

# libzmq's own error strings (zmq_strerror of its private errno values).
ZMQ_ERRORS = {
    "Operation cannot be accomplished in current state": "EFSM",
    "The protocol is not compatible with the socket type": "ENOCOMPATPROTO",
    "Context was terminated": "ETERM",
    "No thread available": "EMTHREAD",
}


class SetupError(Exception):
    """A problem with the environment: reported in one line, exit code 2."""


# --------------------------------------------------------------------------
# What to run

@dataclasses.dataclass(frozen=True)
class Config:
    """One row of the result tables."""
    transport: str      # inproc, tcp, ipc, curve, ws, wss
    bench: str          # thr, lat, proxy, fanout, fanin
    size: int

    @property
    def kind(self) -> str:
        """thr or lat: which table, which ratio."""
        return "lat" if self.bench == "lat" else "thr"

    @property
    def programs(self) -> tuple[str, ...]:
        if self.bench == "proxy":
            return ("proxy_thr",)
        if self.bench in ("fanout", "fanin"):
            return (f"{self.bench}_thr",)
        if self.transport == "inproc":
            return (f"inproc_{self.bench}",)
        suffix = {"curve": CURVE_SUFFIX, "wss": WSS_SUFFIX}.get(self.transport, "")
        return (f"local_{self.bench}{suffix}", f"remote_{self.bench}{suffix}")

    @property
    def label(self) -> str:
        return "+".join(self.programs)

    def fan_label(self, fan: int) -> str:
        if self.bench == "fanout":
            return f"fanout_thr (PUB to {fan} SUB)"
        if self.bench == "fanin":
            return f"fanin_thr ({fan} PUSH to PULL)"
        return self.label

    @property
    def has_raw(self) -> bool:
        """Does the raw floor (perf/raw.c) do this case's work?"""
        return self.transport in RAW_TRANSPORTS and self.bench in ("thr", "lat")

    @property
    def name(self) -> str:
        """Short, for summaries and the chart: "tcp 64 B", "inproc proxy 1 KiB"."""
        bench = "" if self.bench in ("thr", "lat") else f" {self.bench}"
        return f"{self.transport}{bench} {fmt_size(self.size)}"


def message_count(cfg: Config, quick: bool, fan: int = DEFAULT_FAN) -> int:
    """Messages (throughput) or round trips (latency) for about 1-3 s a run
    on a 2-core machine, measured with the reference library. Fan-out and
    fan-in: the messages per subscriber / per pusher (the deliveries are
    fan times that)."""
    s = cfg.size
    scale = max(1.0, s / 65536)          # beyond 64 KiB: fewer messages
    if cfg.bench in ("fanout", "fanin"):
        deliveries = 2_000_000 if s <= 64 else 500_000 if s <= 8192 else 20_000
        if quick:
            deliveries //= 20
        return max(int(deliveries / scale) // max(fan, 1), 10)
    if cfg.bench == "proxy":
        n = 2_000_000
    elif cfg.bench == "thr" and cfg.transport == "inproc":
        n = 5_000_000 if s <= 64 else 2_000_000 if s <= 8192 else 1_000_000
    elif cfg.bench == "thr" and cfg.transport in ("curve", "ws", "wss"):
        # Every message is encrypted and authenticated: fewer per run.
        n = 1_000_000 if s <= 64 else 300_000 if s <= 8192 else 20_000
    elif cfg.bench == "thr":
        n = 3_000_000 if s <= 64 else 1_000_000 if s <= 8192 else 50_000
    elif cfg.transport == "inproc":
        n = 150_000
    else:                                # tcp/ipc latency
        n = 20_000 if s <= 8192 else 10_000
    n = int(n / scale)
    if quick:
        n //= 20 if cfg.kind == "thr" else 10
    return max(n, 100)


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*(b|k|kb|kib|m|mb|mib)?\s*", text, re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (e.g. 64, 1k, 64KiB)")
    mult = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024,
            "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20}[(m.group(2) or "").lower()]
    value = int(m.group(1)) * mult
    if value < 1:
        raise argparse.ArgumentTypeError("sizes start at 1 byte")
    return value


def fmt_size(n: int) -> str:
    for unit, div in (("MiB", 1 << 20), ("KiB", 1024)):
        if n >= div and n % div == 0:
            return f"{n // div} {unit}"
    return f"{n} B"


def split_list(text: str, allowed: tuple[str, ...], what: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    for t in items:
        if t not in allowed:
            raise argparse.ArgumentTypeError(f"unknown {what} {t!r} (one of {','.join(allowed)})")
    return [t for t in allowed if t in items]


def parse_counts(text: str) -> tuple[int, int]:
    try:
        big, small = (int(x.replace("_", "")) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad counts {text!r} (e.g. 120000,20000)") from None
    if not big > small > 0:
        raise argparse.ArgumentTypeError("counts: BIG,SMALL with BIG > SMALL > 0")
    return big, small


def configs(args: argparse.Namespace) -> list[Config]:
    out = []
    for transport in args.only:
        for bench in args.bench:
            if bench == "proxy" and transport != "inproc":
                continue                 # proxy_thr is inproc only
            if bench in ("fanout", "fanin") and transport not in FAN_TRANSPORTS:
                continue
            for size in args.sizes:
                out.append(Config(transport, bench, size))
    return out


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Run libzmq's perf programs against our libzmq.so and the "
                    "reference libzmq 4.3.5, alternating, and print medians and ratios "
                    "(> 1 means ours is better).")
    p.add_argument("--only", default="inproc,tcp,ipc,curve",
                   type=lambda t: split_list(t, TRANSPORTS, "transport"),
                   help="transports to run (default inproc,tcp,ipc,curve; curve is tcp"
                        " with the CURVE mechanism; ws (ZWS 2.0 over tcp) and wss (over TLS,"
                        " against the reference built with TLS) on request)")
    p.add_argument("--bench", default=",".join(BENCHES),
                   type=lambda t: split_list(t, BENCHES, "benchmark"),
                   help="benchmarks: thr (inproc_thr, local/remote_thr), lat (inproc_lat,"
                        " local/remote_lat), proxy (proxy_thr, inproc only), fanout (one"
                        " PUB to --fan SUBs, tcp and ipc), fanin (--fan PUSH to one PULL,"
                        " tcp and ipc); default all")
    p.add_argument("--fan", type=int, default=DEFAULT_FAN,
                   help=f"subscribers of fanout, pushers of fanin (default {DEFAULT_FAN})")
    p.add_argument("--no-raw", action="store_true",
                   help="skip the raw floor (perf/raw.c over a plain tcp/unix socket)")
    p.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                   type=lambda t: sorted({parse_size(x) for x in t.split(",") if x.strip()}),
                   help="message sizes in bytes, k/KiB suffix allowed (default 1,64,1k,64k)")
    p.add_argument("--rounds", type=int, default=None,
                   help="rounds per configuration, each running ours, ref, then the raw"
                        f" floor (default {DEFAULT_ROUNDS})")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 1/20 of the messages (1/10 of the round trips), 1 round")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="per-run timeout in seconds (default 60)")
    p.add_argument("--markdown", action="store_true",
                   help="print the report as markdown (the format of docs/perf.md)")
    p.add_argument("--json", type=Path, metavar="FILE",
                   help="also write every run's raw result to FILE")
    p.add_argument("--chart", type=Path, metavar="SVG",
                   help="also draw the results as an SVG chart (e.g. docs/perf.svg)")
    p.add_argument("--note", default="",
                   help="a line for the report's header and the chart's subtitle (e.g. 'busy"
                        " machine')")
    p.add_argument("--from-json", type=Path, metavar="FILE",
                   help="run nothing: report (and --chart) the results a --json FILE holds")
    p.add_argument("--instructions", action="store_true",
                   help="instead of timing: instructions per message to receive and to send,"
                        " local_thr/remote_thr under valgrind --tool=callgrind at two message"
                        " counts, ours and ref (tcp, ipc, curve of --only; default tcp 64 B)")
    p.add_argument("--instr-counts", default=",".join(map(str, DEFAULT_INSTR_COUNTS)),
                   type=parse_counts, metavar="BIG,SMALL",
                   help="message counts of --instructions (default %s)"
                        % ",".join(map(str, DEFAULT_INSTR_COUNTS)))
    p.add_argument("--include", type=Path, default=None,
                   help="directory holding OUR zmq.h (default include/, else the reference"
                        " header target/reference/include, which is ABI-identical)")
    p.add_argument("--lib", type=Path, default=None,
                   help="directory holding OUR libzmq.so (default target/release, built"
                        " with cargo build --release; given: no cargo build)")
    p.add_argument("--no-build", action="store_true",
                   help="do not run cargo or the reference build; use what is there")
    p.add_argument("--lock", type=Path, metavar="FILE",
                   default=os.environ.get("ZMQ_BUILD_LOCK") or None,
                   help="hold an exclusive flock on FILE while compiling (default"
                        " $ZMQ_BUILD_LOCK; on the shared machine: /tmp/zmq-build.lock)")
    p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                   help="parallel compiles of the perf programs (default nproc)")
    args = p.parse_args(argv)
    if args.instructions:
        # Only what callgrind can split into receive and send.
        if "--only" not in argv and not any(a.startswith("--only=") for a in argv):
            args.only = ["tcp"]
        if "--sizes" not in argv and not any(a.startswith("--sizes=") for a in argv):
            args.sizes = [64]
        args.only = [t for t in args.only if t in INSTR_TRANSPORTS]
        if not args.only:
            p.error("--instructions measures " + ",".join(INSTR_TRANSPORTS))
    if args.rounds is None:
        args.rounds = 1 if args.quick else DEFAULT_ROUNDS
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    if args.fan < 1:
        p.error("--fan must be at least 1")
    if not args.only or not args.bench or not args.sizes:
        p.error("nothing to run")
    args.argv = argv
    return args


# --------------------------------------------------------------------------
# Building

@contextlib.contextmanager
def build_lock(lockfile: Path | None):
    if lockfile is None:
        yield
        return
    with lockfile.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting for the build lock {lockfile} ...")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def find_vendor() -> Path:
    cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    for candidate in sorted(cargo_home.glob(VENDOR_GLOB)):
        if (candidate / "perf" / "inproc_thr.cpp").is_file():
            return candidate
    raise SetupError(f"zeromq-src 0.3.6+4.3.5 not found under {cargo_home}/registry/src;"
                     f" run `cargo fetch` in {REPO}")


def reference_ready() -> bool:
    return all((REFERENCE / p).exists() for p in
               ("lib/libzmq.so.5", "include/zmq.h", "platform.hpp", ".reference-build-stamp"))


def ensure_reference(args: argparse.Namespace) -> None:
    if reference_ready():
        return
    if args.no_build:
        raise SetupError(f"no reference libzmq in {REFERENCE}: run tools/build-reference-libzmq.sh")
    log("building the reference libzmq 4.3.5 (tools/build-reference-libzmq.sh) ...")
    with build_lock(args.lock):
        rc = subprocess.run([str(REPO / "tools" / "build-reference-libzmq.sh")],
                            stdout=sys.stderr).returncode
    if rc != 0 or not reference_ready():
        raise SetupError("tools/build-reference-libzmq.sh failed")


def ensure_ours(args: argparse.Namespace) -> Path:
    """Returns the directory holding our libzmq.so."""
    if args.lib is not None:
        lib = args.lib.resolve()
    else:
        lib = REPO / "target" / "release"
        if not args.no_build:
            log("building our library (cargo build --release) ...")
            with build_lock(args.lock):
                rc = subprocess.run(["cargo", "build", "--release"], cwd=REPO,
                                    stdout=sys.stderr).returncode
            if rc != 0:
                raise SetupError("cargo build --release failed")
    if not (lib / "libzmq.so.5").exists():
        raise SetupError(f"no libzmq.so.5 in {lib} (cargo build --release makes it)")
    return lib


def our_include(args: argparse.Namespace) -> Path:
    if args.include is not None:
        inc = args.include.resolve()
    elif (REPO / "include" / "zmq.h").is_file():
        inc = REPO / "include"
    else:
        inc = REFERENCE / "include"
        log("note: no include/zmq.h yet; our side is compiled against the reference"
            " header target/reference/include/zmq.h (ABI-identical by design)")
    if not (inc / "zmq.h").is_file():
        raise SetupError(f"no zmq.h in {inc} (pass --include DIR)")
    return inc


@dataclasses.dataclass
class Flavor:
    """One library under test and its perf binaries."""
    name: str                  # ours, ref
    include: Path              # holds zmq.h
    lib: Path                  # holds libzmq.so.5
    bins: dict[str, Path] = dataclasses.field(default_factory=dict)
    build_errors: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def root(self) -> Path:
        return OUT / self.name


def sync_file(src: Path, dst: Path) -> None:
    if dst.is_file() and dst.read_bytes() == src.read_bytes():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def build_flavor(fl: Flavor, vendor: Path, jobs: int, lock: Path | None) -> None:
    """Compile the perf programs into target/perf/<flavor>/bin, cached by a
    hash of every input. The sources include "../include/zmq.h", so they are
    staged next to the chosen header: src/perf/*.cpp, src/include/zmq.h."""
    src, bindir, logs = fl.root / "src", fl.root / "bin", fl.root / "logs"
    for prog in PROGRAMS:
        sync_file(vendor / "perf" / f"{prog}.cpp", src / "perf" / f"{prog}.cpp")
    for prog in C_PROGRAMS:
        sync_file(HERE / f"{prog}.c", src / "perf" / f"{prog}.c")
    for header in VARIANTS.values():
        sync_file(HERE / header, src / "perf" / header)
    sync_file(fl.include / "zmq.h", src / "include" / "zmq.h")
    sync_file(REFERENCE / "platform.hpp", src / "config" / "platform.hpp")
    bindir.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    cxx = os.environ.get("CXX", "g++")
    if not shutil.which(cxx):
        raise SetupError(f"no C++ compiler {cxx!r} (install g++ or set CXX)")
    cc = c_compiler()

    def plan(prog: str) -> tuple[list[str], str, str]:
        """The command, the key of a good build, the key of a failed one."""
        if prog in C_PROGRAMS:
            source = src / "perf" / f"{prog}.c"
            cmd = [cc, *CFLAGS, str(source), "-o", str(bindir / prog), f"-L{fl.lib}",
                   "-lzmq", f"-Wl,-rpath,{fl.lib}", "-Wl,--disable-new-dtags"]
            key = hashlib.sha256("\0".join(cmd).encode())
            for f in (source, src / "include" / "zmq.h"):
                key.update(f.read_bytes())
            good = key.hexdigest()
            key.update(lib_signature(fl.lib).encode())
            return cmd, good, key.hexdigest()
        source, extra = prog, []
        for suffix, header in VARIANTS.items():
            if prog.endswith(suffix):
                source = prog.removesuffix(suffix)
                extra = ["-include", str(src / "perf" / header)]
                if suffix == WSS_SUFFIX:
                    extra += [f'-DPERF_WSS_CERT="{WSS_FIXTURES / "zeromq_org.cert.pem"}"',
                              f'-DPERF_WSS_KEY="{WSS_FIXTURES / "zeromq_org.key.pem"}"']
        cmd = [cxx, *CXXFLAGS, f"-I{src / 'config'}", *extra,
               str(src / "perf" / f"{source}.cpp"),
               "-o", str(bindir / prog), f"-L{fl.lib}", "-lzmq",
               # DT_RPATH (not RUNPATH) wins over LD_LIBRARY_PATH: each binary
               # always loads the library it was built for.
               f"-Wl,-rpath,{fl.lib}", "-Wl,--disable-new-dtags"]
        key = hashlib.sha256("\0".join(cmd).encode())
        for f in (src / "perf" / f"{source}.cpp", src / "include" / "zmq.h",
                  src / "config" / "platform.hpp",
                  *(src / "perf" / h for h in VARIANTS.values())):
            key.update(f.read_bytes())
        good = key.hexdigest()
        # A failed link is retried only when an input or the library changed.
        key.update(lib_signature(fl.lib).encode())
        return cmd, good, key.hexdigest()

    def cached(prog: str, good: str, bad: str) -> tuple[bool, str | None]:
        stamp, failed = bindir / f"{prog}.stamp", bindir / f"{prog}.failed"
        if (bindir / prog).is_file() and stamp.is_file() and stamp.read_text() == good:
            return True, None
        if failed.is_file():
            known, _, err = failed.read_text().partition("\n")
            if known == bad:
                return True, err
        return False, None

    def compile_one(prog: str, cmd: list[str], good: str, bad: str) -> str | None:
        stamp, failed = bindir / f"{prog}.stamp", bindir / f"{prog}.failed"
        for f in (bindir / prog, stamp, failed):
            f.unlink(missing_ok=True)
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        (logs / f"{prog}.build.log").write_text(shlex.join(cmd) + "\n" + res.stdout)
        if res.returncode != 0:
            err = summarize_build_error(res.stdout)
            failed.write_text(f"{bad}\n{err}")
            return err
        stamp.write_text(good)
        return None

    errors: dict[str, str | None] = {}
    todo = []
    every = PROGRAMS + tuple(p + suffix for suffix in VARIANTS for p in CURVE_PROGRAMS) \
        + C_PROGRAMS
    for prog in every:
        cmd, good, bad = plan(prog)
        hit, err = cached(prog, good, bad)
        if hit:
            errors[prog] = err
        else:
            todo.append((prog, cmd, good, bad))
    if todo:
        log(f"compiling {len(todo)} perf program(s) for {fl.name} ...")
        with build_lock(lock), concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
            futures = {prog: pool.submit(compile_one, prog, cmd, good, bad)
                       for prog, cmd, good, bad in todo}
            for prog, fut in futures.items():
                errors[prog] = fut.result()
    for prog in every:
        if errors[prog] is None:
            fl.bins[prog] = bindir / prog
            check_linkage(fl, prog)
        else:
            fl.build_errors[prog] = errors[prog]


def c_compiler() -> str:
    cc = os.environ.get("CC", "gcc")
    if not shutil.which(cc):
        raise SetupError(f"no C compiler {cc!r} (install gcc or set CC)")
    return cc


def build_raw(lock: Path | None) -> tuple[Path | None, str | None]:
    """perf/raw.c into target/perf/raw/bin/raw (no library): the binary or
    the build error."""
    root = OUT / RAW
    source, binary, stamp = root / "src" / RAW_SOURCE, root / "bin" / "raw", root / "bin" / "raw.stamp"
    sync_file(HERE / RAW_SOURCE, source)
    binary.parent.mkdir(parents=True, exist_ok=True)
    cmd = [c_compiler(), *CFLAGS, str(source), "-o", str(binary)]
    key = hashlib.sha256("\0".join(cmd).encode() + source.read_bytes()).hexdigest()
    if binary.is_file() and stamp.is_file() and stamp.read_text() == key:
        return binary, None
    log("compiling the raw floor (perf/raw.c) ...")
    with build_lock(lock):
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        (root / "build.log").write_text(shlex.join(cmd) + "\n" + res.stdout)
        return None, summarize_build_error(res.stdout)
    stamp.write_text(key)
    return binary, None


def lib_signature(lib: Path) -> str:
    st = (lib / "libzmq.so.5").stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def summarize_build_error(output: str) -> str:
    undefined = sorted(set(re.findall(r"undefined reference to `([^'(]+)", output)))
    if undefined:
        more = f" and {len(undefined) - 3} more" if len(undefined) > 3 else ""
        return f"undefined {', '.join(undefined[:3])}{more}"
    for line in output.splitlines():
        if "error" in line:
            return line.strip()[:120]
    return "compiler failed"


def check_linkage(fl: Flavor, prog: str) -> None:
    """Make sure the binary really loads the library it is meant to measure."""
    res = subprocess.run(["ldd", str(fl.bins[prog])], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    m = re.search(r"libzmq\.so\.5 => (\S+)", res.stdout)
    if not m or Path(m.group(1)).parent.resolve() != fl.lib.resolve():
        raise SetupError(f"{fl.bins[prog]} does not load libzmq.so.5 from {fl.lib}:\n{res.stdout}")


# --------------------------------------------------------------------------
# Running

@dataclasses.dataclass
class Outcome:
    """One run of one configuration with one library."""
    ok: bool
    value: float = 0.0         # msg/s (thr) or us (lat)
    mbps: float = 0.0          # Mb/s (thr)
    cell: str = ""             # when not ok: n/a (...) / failed (...)
    seconds: float = 0.0
    output: str = ""


RESULT_RE = {
    "msgs": re.compile(r"mean throughput: (\d+) \[msg/s\]"),
    "mbps": re.compile(r"mean throughput: ([\d.]+) \[Mb/s\]"),
    "lat": re.compile(r"average latency: ([\d.]+) \[us\]"),
}


def parse_result(kind: str, text: str) -> tuple[float, float] | None:
    if kind == "lat":
        m = RESULT_RE["lat"].search(text)
        return (float(m.group(1)), 0.0) if m else None
    m1, m2 = RESULT_RE["msgs"].search(text), RESULT_RE["mbps"].search(text)
    return (float(m1.group(1)), float(m2.group(1))) if m1 and m2 else None


def errno_name(message: str) -> str | None:
    message = message.strip()
    if message in ZMQ_ERRORS:
        return ZMQ_ERRORS[message]
    if message == os.strerror(errno.ENOTSUP):
        return "ENOTSUP"
    for code, name in sorted(errno.errorcode.items()):
        if os.strerror(code) == message:
            return name
    return None


def diagnose(text: str, rc: int | None) -> str:
    """The cell for a failed run: n/a (EPROTONOSUPPORT) when the transport is
    not implemented, else failed (reason)."""
    reason = None
    m = re.search(r"error in (\w+): (.*)", text)            # the *_thr/*_lat programs
    if m:
        reason = errno_name(m.group(2)) or f"{m.group(1)}: {m.group(2).strip()[:60]}"
    else:
        m = re.search(r"errno = (\d+) \(([^)]*)\)", text)   # proxy_thr
        if m:
            reason = errno.errorcode.get(int(m.group(1))) or errno_name(m.group(2)) \
                or m.group(2)
    if reason == "EPROTONOSUPPORT":
        return "n/a (EPROTONOSUPPORT)"
    if reason:
        return f"failed ({reason})"
    if "symbol lookup error" in text:
        return "failed (symbol lookup)"
    if rc is not None and rc < 0:
        try:
            return f"failed ({signal.Signals(-rc).name})"
        except ValueError:
            return f"failed (signal {-rc})"
    if rc:
        return f"failed (exit {rc})"
    return "failed (no result)"


def run_procs(argvs: list[list[str]], measured: int, kind: str, timeout: float) -> Outcome:
    """Start the programs (the binding one first) and wait until argvs[measured],
    the one printing the result, exits; then kill the others if they still
    run. A failure of any of them, or the timeout, kills them all."""
    start = time.monotonic()
    outs = [tempfile.TemporaryFile("w+") for _ in argvs]
    procs: list[subprocess.Popen] = []
    failed_at: int | None = None
    timed_out = False
    try:
        for argv, out in zip(argvs, outs):
            procs.append(subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL))
        while True:
            codes = [p.poll() for p in procs]
            bad = [i for i, c in enumerate(codes) if c not in (None, 0)]
            if bad:
                failed_at = measured if measured in bad else bad[0]
                break
            if codes[measured] == 0:
                break
            if time.monotonic() - start > timeout:
                timed_out = True
                break
            time.sleep(0.005)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
    seconds = time.monotonic() - start
    texts = []
    for out in outs:
        out.seek(0)
        texts.append(out.read())
        out.close()
    joined = "\n".join(f"--- {Path(a[0]).name}\n{t}" for a, t in zip(argvs, texts))
    if timed_out:
        # A hang after a bind error still shows the error.
        for t in texts:
            cell = diagnose(t, None)
            if cell.startswith("n/a"):
                return Outcome(False, cell=cell, seconds=seconds, output=joined)
        return Outcome(False, cell="failed (timeout)", seconds=seconds, output=joined)
    if failed_at is not None:
        return Outcome(False, cell=diagnose(texts[failed_at], procs[failed_at].returncode),
                       seconds=seconds, output=joined)
    parsed = parse_result(kind, texts[measured])
    if parsed is None:
        return Outcome(False, cell="failed (no result)", seconds=seconds, output=joined)
    return Outcome(True, parsed[0], parsed[1], seconds=seconds, output=joined)


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Endpoints:
    """A fresh endpoint per run: a free port, a new ipc path."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="zmq-perf-"))
        self.n = 0

    def new(self, transport: str) -> str:
        self.n += 1
        if transport in ("tcp", "curve"):
            return f"tcp://127.0.0.1:{free_tcp_port()}"
        if transport in ("ws", "wss"):
            return f"{transport}://127.0.0.1:{free_tcp_port()}/perf"
        return f"ipc://{self.dir}/{self.n}.ipc"

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def run_one(fl: Flavor, cfg: Config, count: int, eps: Endpoints, timeout: float,
            fan: int = DEFAULT_FAN) -> Outcome:
    missing = [p for p in cfg.programs if p not in fl.bins]
    if missing:
        return Outcome(False, cell="n/a (not built)")
    size, n = str(cfg.size), str(count)
    bins = [str(fl.bins[p]) for p in cfg.programs]
    if cfg.bench in ("fanout", "fanin"):
        # The binder first; the sender gets twice the messages and is killed
        # once the receiver, which prints the result, is done (as remote_thr).
        ep, prog, f = eps.new(cfg.transport), bins[0], str(fan)
        if cfg.bench == "fanout":
            return run_procs([[prog, "pub", ep, size, str(2 * count), f],
                              [prog, "sub", ep, size, n, f]], 1, "thr", timeout)
        return run_procs([[prog, "pull", ep, size, n, f],
                          [prog, "push", ep, size, str(2 * count), f]], 0, "thr", timeout)
    if len(bins) == 1:
        return run_procs([[bins[0], size, n]], 0, cfg.kind, timeout)
    ep = eps.new(cfg.transport)
    # local_* binds, remote_* connects; local_thr and remote_lat print the
    # result. remote_thr is given twice the messages local_thr waits for and
    # is killed once local_thr is done: libzmq 4.3.5 can drop the tail of the
    # stream when remote_thr closes (libzmq#4660, seen on ipc with 1-byte
    # messages), which would leave local_thr waiting forever.
    if cfg.kind == "thr":
        return run_procs([[bins[0], ep, size, n], [bins[1], ep, size, str(2 * count)]],
                         0, cfg.kind, timeout)
    return run_procs([[bins[0], ep, size, n], [bins[1], ep, size, n]], 1, cfg.kind, timeout)


def run_raw(raw: Path, cfg: Config, count: int, eps: Endpoints, timeout: float) -> Outcome:
    """The raw floor of a tcp/ipc case: perf/raw.c in upstream's roles."""
    ep, size, n, b = eps.new(cfg.transport), str(cfg.size), str(count), str(raw)
    if cfg.kind == "thr":
        return run_procs([[b, "local_thr", ep, size, n], [b, "remote_thr", ep, size, str(2 * count)]],
                         0, "thr", timeout)
    return run_procs([[b, "local_lat", ep, size, n], [b, "remote_lat", ep, size, n]],
                     1, "lat", timeout)


# --------------------------------------------------------------------------
# Reporting

@dataclasses.dataclass
class Cell:
    outcomes: list[Outcome] = dataclasses.field(default_factory=list)

    @property
    def oks(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    def median(self) -> float | None:
        return statistics.median(o.value for o in self.oks) if self.oks else None

    def median_mbps(self) -> float | None:
        return statistics.median(o.mbps for o in self.oks) if self.oks else None

    def text(self, value: float | None, fmt: str) -> str:
        if not self.outcomes:
            return "-"
        if value is None:
            cells = [o.cell for o in self.outcomes]
            return max(set(cells), key=cells.count)     # the most frequent failure
        s = format(value, fmt)
        if len(self.oks) < len(self.outcomes):
            s += f" ({len(self.oks)}/{len(self.outcomes)} ok)"
        return s

    def mbps_text(self) -> str:
        """The Mb/s column: the failure is already in the msg/s column."""
        return "-" if not self.oks else self.text(self.median_mbps(), ",.1f")


def ratio_value(cfg: Config, ours: Cell, ref: Cell) -> float | None:
    """ours/ref for throughput, ref/ours for latency: > 1 means ours is better."""
    a, b = ours.median(), ref.median()
    if a is None or b is None or a <= 0 or b <= 0:
        return None
    return a / b if cfg.kind == "thr" else b / a


def ratio(cfg: Config, ours: Cell, ref: Cell) -> str:
    r = ratio_value(cfg, ours, ref)
    return "-" if r is None else f"{r:.2f}"


def over_raw(ours: Cell, raw: Cell | None) -> float | None:
    """Latency ours/raw: how far above the floor (1 is the floor)."""
    if raw is None:
        return None
    a, b = ours.median(), raw.median()
    return a / b if a and b and a > 0 and b > 0 else None


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


# The cases issue 10's done-when criteria are stated over.
CORE_TRANSPORTS = ("inproc", "tcp", "ipc")
CORE_SIZES = (1, 65536)               # 1 B to 64 KiB, inclusive
RAW_GOAL_SIZES = (1, 64)


def is_core(cfg: Config) -> bool:
    return (cfg.transport in CORE_TRANSPORTS and cfg.bench in ("thr", "lat", "proxy")
            and CORE_SIZES[0] <= cfg.size <= CORE_SIZES[1])


def spread(pairs: list[tuple[str, float]]) -> str:
    """geomean G over N cases, lowest L (case)"""
    g = geomean([v for _, v in pairs])
    low = min(pairs, key=lambda p: p[1])
    return f"geomean {g:.2f} over {len(pairs)} case(s), lowest {low[1]:.2f} ({low[0]})"


def summary(results: dict[Config, dict[str, Cell]]) -> list[str]:
    """One line per kind: issue 10's done-when criteria, as measured."""
    def ratios(pred) -> list[tuple[str, float]]:
        out = []
        for cfg, cells in results.items():
            if pred(cfg):
                r = ratio_value(cfg, cells["ours"], cells["ref"])
                if r is not None:
                    out.append((cfg.name, r))
        return out

    lines = []
    thr = ratios(lambda c: is_core(c) and c.kind == "thr")
    if thr:
        lines.append(f"throughput ours/ref (inproc, tcp, ipc; 1 B-64 KiB): {spread(thr)}"
                     "  [goal: geomean >= 1.5, lowest >= 1.1]")
    lat = ratios(lambda c: is_core(c) and c.kind == "lat")
    if lat:
        lines.append(f"latency ref/ours (inproc, tcp, ipc; 1 B-64 KiB): {spread(lat)}"
                     "  [goal: lowest >= 1.3]")
    floor = []
    for cfg, cells in results.items():
        if cfg.kind == "lat" and cfg.has_raw and cfg.size in RAW_GOAL_SIZES:
            o, r = over_raw(cells["ours"], cells.get(RAW)), over_raw(cells["ref"], cells.get(RAW))
            if o is not None and r is not None:
                floor.append((cfg.name, o, r))
    if floor:
        worst = max(floor, key=lambda f: f[1])
        lines.append(f"latency ours/raw (tcp, ipc; 1 B, 64 B): highest {worst[1]:.2f}"
                     f" ({worst[0]}) over {len(floor)} case(s); ref/raw highest"
                     f" {max(f[2] for f in floor):.2f}  [goal: ours/raw <= 1.25]")
    fan = ratios(lambda c: c.bench in ("fanout", "fanin"))
    if fan:
        lines.append(f"fan-out/fan-in ours/ref: {spread(fan)}  [goal: lowest >= 1]")
    for transport in ("curve", "ws", "wss"):
        for kind, what in (("thr", "throughput ours/ref"), ("lat", "latency ref/ours")):
            rs = ratios(lambda c: c.transport == transport and c.kind == kind)
            if rs:
                goal = "  [goal: lowest >= 1]" if transport == "curve" and kind == "thr" else ""
                lines.append(f"{transport} {what}: {spread(rs)}{goal}")
    return lines


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True).stdout.strip() or "unknown"
    cxx = os.environ.get("CXX", "g++")
    cxx_version = subprocess.run([cxx, "--version"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True).stdout.split("\n")[0]
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "kernel": f"{platform.system()} {platform.release()}",
        "compiler": cxx_version,
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def table(headers: list[str], rows: list[list[str]], markdown: bool, right_from: int) -> str:
    if markdown:
        sep = ["---" if i < right_from else "---:" for i in range(len(headers))]
        return "\n".join("| " + " | ".join(r) + " |" for r in [headers, sep, *rows])
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < right_from else c.rjust(w)
                         for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


@dataclasses.dataclass
class Run:
    """Everything a report or a chart is made of (also what --json keeps)."""
    results: dict[Config, dict[str, Cell]]
    counts: dict[Config, int]           # messages / round trips (per socket for fan)
    rounds: int
    fan: int
    command: str
    elapsed: float
    machine: dict[str, str]
    ours: str = ""                      # what was measured, for the header
    ref: str = ""
    note: str = ""                      # --note

    def deliveries(self, cfg: Config) -> int:
        return self.counts[cfg] * (self.fan if cfg.bench in ("fanout", "fanin") else 1)


def report(run: Run, markdown: bool, notes: list[str] | None = None) -> str:
    md, m = markdown, run.machine
    thr_rows, lat_rows = [], []
    for cfg, cells in run.results.items():
        ours, ref, raw = cells["ours"], cells["ref"], cells.get(RAW)
        base = [cfg.transport, cfg.fan_label(run.fan), fmt_size(cfg.size),
                f"{run.deliveries(cfg):,}"]
        if cfg.kind == "thr":
            thr_rows.append(base + [ours.text(ours.median(), ",.0f"),
                                    ref.text(ref.median(), ",.0f"),
                                    raw.text(raw.median(), ",.0f") if raw else "-",
                                    ours.mbps_text(), ref.mbps_text(),
                                    ratio(cfg, ours, ref)])
        else:
            o = over_raw(ours, raw)
            lat_rows.append(base + [ours.text(ours.median(), ".2f"),
                                    ref.text(ref.median(), ".2f"),
                                    raw.text(raw.median(), ".2f") if raw else "-",
                                    ratio(cfg, ours, ref), "-" if o is None else f"{o:.2f}"])
    order = "ours, ref, then the raw floor (tcp, ipc)"
    out = []
    if md:
        out += [f"Medians of {run.rounds} round(s); each round runs {order}. **Ratio > 1 means"
                " ours is better**: throughput ours/ref, latency ref/ours; ours/raw is"
                " latency over the floor (1 is the floor).", "",
                f"- machine: {m['nproc']} CPUs, {m['cpu']}, kernel {m['kernel']}",
                f"- compiler: {m['compiler']}, `{' '.join(CXXFLAGS)}` for both sides",
                f"- commit: `{m['commit']}` ({m.get('date', '?')})",
                f"- command: `{run.command}` ({run.elapsed:.0f} s)",
                *([f"- note: {run.note}"] if run.note else []), ""]
    else:
        out += ["# " + h for h in [
            f"Medians of {run.rounds} round(s); each round runs {order}.",
            "Ratio > 1 means OURS IS BETTER: throughput ours/ref, latency ref/ours.",
            "ours/raw: our latency over the raw floor (perf/raw.c, a plain socket); 1 is the floor.",
            *([f"ours: {run.ours}", f"ref:  {run.ref}"] if run.ours else []),
            f"machine: {m['nproc']} CPUs, {m['cpu']}, {m['kernel']}; {m['compiler']}",
            f"commit: {m['commit']} ({m.get('date', '?')}); command: {run.command};"
            f" took {run.elapsed:.0f} s",
            *([f"note: {run.note}"] if run.note else [])]] + [""]
    if thr_rows:
        out += ["### Throughput", ""] if md else ["Throughput"]
        out.append(table(["transport", "program", "size", "messages", "ours msg/s",
                          "ref msg/s", "raw msg/s", "ours Mb/s", "ref Mb/s", "ours/ref"],
                         thr_rows, md, 3))
        out.append("")
    if lat_rows:
        out += ["### Latency (one way, us)", ""] if md else ["Latency (one way, us)"]
        out.append(table(["transport", "program", "size", "round trips", "ours us",
                          "ref us", "raw us", "ref/ours", "ours/raw"], lat_rows, md, 3))
        out.append("")
    lines = summary(run.results)
    if lines:
        out += ["### Summary", ""] if md else ["Summary"]
        out += [("- " if md else "  ") + ln for ln in lines]
        out.append("")
    if notes:
        out += (["Notes:", ""] if md else ["Notes:"]) + [("- " if md else "  ") + n for n in notes]
        out.append("")
    return "\n".join(out)


def dump_json(path: Path, run: Run) -> None:
    rows = []
    for cfg, cells in run.results.items():
        for name, cell in cells.items():
            for i, o in enumerate(cell.outcomes):
                rows.append({"transport": cfg.transport, "bench": cfg.bench, "size": cfg.size,
                             "count": run.counts[cfg], "library": name, "round": i + 1,
                             "ok": o.ok, "value": o.value, "mbps": o.mbps,
                             "unit": "us" if cfg.kind == "lat" else "msg/s",
                             "cell": o.cell, "seconds": round(o.seconds, 3)})
    meta = {"rounds": run.rounds, "fan": run.fan, "command": run.command,
            "elapsed": round(run.elapsed, 1), "machine": run.machine,
            "ours": run.ours, "ref": run.ref, "note": run.note}
    path.write_text(json.dumps({"meta": meta, "runs": rows}, indent=1) + "\n")


def load_json(path: Path) -> Run:
    """The Run a --json file holds (also the older list-of-rows format)."""
    data = json.loads(path.read_text())
    meta, rows = (data.get("meta", {}), data["runs"]) if isinstance(data, dict) else ({}, data)
    results: dict[Config, dict[str, Cell]] = {}
    counts: dict[Config, int] = {}
    for r in rows:
        cfg = Config(r["transport"], r["bench"], int(r["size"]))
        cells = results.setdefault(cfg, {f: Cell() for f in FLAVORS})
        counts[cfg] = int(r["count"])
        cells.setdefault(r["library"], Cell()).outcomes.append(
            Outcome(bool(r["ok"]), float(r["value"]), float(r.get("mbps", 0.0)),
                    r.get("cell", ""), float(r.get("seconds", 0.0))))
    rounds = meta.get("rounds") or max((int(r["round"]) for r in rows), default=1)
    return Run(results, counts, rounds, int(meta.get("fan", DEFAULT_FAN)),
               meta.get("command", "?"), float(meta.get("elapsed", 0.0)),
               meta.get("machine") or {"nproc": "?", "cpu": "?", "kernel": "?",
                                       "compiler": "?", "commit": "?"},
               meta.get("ours", ""), meta.get("ref", ""), meta.get("note", ""))


# --------------------------------------------------------------------------
# The chart: hand-written SVG, one panel per kind, a group of bars per case.

CHART_COLORS = {"ours": "#2b6cb0", "ref": "#a0aec0", RAW: "#38a169"}
CHART_NAMES = {"ours": "ours (libzmq-rs)", "ref": "libzmq 4.3.5", RAW: "raw socket floor"}


def si(v: float) -> str:
    """3 significant digits with k/M/G: 1.23M, 45.6k, 789."""
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            x = v / div
            return (f"{x:.3g}" if x < 1000 else f"{x:.0f}") + unit
    return f"{v:.3g}"


def us(v: float) -> str:
    return f"{v:.1f} us" if v < 100 else f"{v:.0f} us"


def log_ticks(lo: float, hi: float) -> list[float]:
    """The powers of ten spanning [lo, hi], at least two."""
    a = math.floor(math.log10(lo))
    b = max(math.ceil(math.log10(hi)), a + 1)
    return [10.0 ** e for e in range(a, b + 1)]


def chart_svg(run: Run) -> str:
    esc = html.escape
    W, LEFT, X0, X1 = 980, 12, 190, 770      # labels | bars | ratios
    BAR, GAP, PAD = 10, 2, 9
    m = run.machine
    parts: list[str] = []
    y = 24
    parts.append(f'<text x="{LEFT}" y="{y}" class="title">libzmq-rs against libzmq 4.3.5'
                 f' and the raw socket floor</text>')
    y += 18
    parts.append(f'<text x="{LEFT}" y="{y}" class="sub">commit {esc(m.get("commit", "?"))},'
                 f' {esc(m.get("date", ""))}; {esc(m.get("nproc", "?"))} CPUs,'
                 f' {esc(m.get("cpu", "?"))}; medians of {run.rounds} round(s)</text>')
    if run.note:
        y += 15
        parts.append(f'<text x="{LEFT}" y="{y}" class="bad">{esc(run.note)}</text>')
    y += 16
    x = LEFT
    for name in ("ours", "ref", RAW):
        parts.append(f'<rect x="{x}" y="{y - 9}" width="12" height="10"'
                     f' fill="{CHART_COLORS[name]}"/>')
        parts.append(f'<text x="{x + 16}" y="{y}" class="lab">{esc(CHART_NAMES[name])}</text>')
        x += 30 + 7 * len(CHART_NAMES[name])
    y += 10
    sums = summary(run.results)
    for kind in ("thr", "lat"):
        cases = [(cfg, cells) for cfg, cells in run.results.items() if cfg.kind == kind]
        if not cases:
            continue
        values = [c.median() for _, cells in cases for c in cells.values()
                  if c.median() is not None and c.median() > 0]
        y += 26
        title = ("Throughput, messages/s (log scale; longer is better)" if kind == "thr"
                 else "Latency, one way, us (log scale; shorter is better)")
        parts.append(f'<text x="{LEFT}" y="{y}" class="head">{title}</text>')
        want = "throughput ours/ref (" if kind == "thr" else "latency ref/ours ("
        for line in sums:
            if line.startswith(want) or (kind == "lat" and line.startswith("latency ours/raw")):
                y += 15
                parts.append(f'<text x="{LEFT}" y="{y}" class="sub">'
                             f'{esc(line.replace("  [", "   ["))}</text>')
        y += 10
        top = y
        if not values:
            values = [1.0, 10.0]
        ticks = log_ticks(min(values), max(values))
        lo, hi = math.log10(ticks[0]), math.log10(ticks[-1])

        def xs(v: float) -> float:
            return X0 + (math.log10(v) - lo) / (hi - lo) * (X1 - X0)
        rows: list[str] = []
        for cfg, cells in cases:
            names = [n for n in ("ours", "ref", RAW) if n in cells]
            gh = len(names) * (BAR + GAP) - GAP
            label = cfg.name if cfg.bench not in ("fanout", "fanin") else \
                f"{cfg.transport} {cfg.bench} x{run.fan} {fmt_size(cfg.size)}"
            rows.append(f'<text x="{X0 - 8}" y="{y + gh / 2 + 4:.1f}" class="lab"'
                        f' text-anchor="end">{esc(label)}</text>')
            for i, n in enumerate(names):
                c, by = cells[n], y + i * (BAR + GAP)
                v = c.median()
                if v is None or v <= 0:
                    what = c.text(None, "") if c.outcomes else "not run"
                    rows.append(f'<text x="{X0 + 4}" y="{by + BAR - 1}" class="val">'
                                f'{esc(n)}: {esc(what)}</text>')
                    continue
                w = max(xs(v) - X0, 1.0)
                rows.append(f'<rect x="{X0}" y="{by}" width="{w:.1f}" height="{BAR}"'
                            f' fill="{CHART_COLORS[n]}"><title>{esc(CHART_NAMES[n])}:'
                            f' {esc(si(v) + " msg/s" if kind == "thr" else us(v))}'
                            f'</title></rect>')
                rows.append(f'<text x="{X0 + w + 3:.1f}" y="{by + BAR - 1}" class="val">'
                            f'{esc(si(v) if kind == "thr" else us(v))}</text>')
            # Right of the bars: the ratio to the reference (green when ours
            # is better) and, for latency, to the floor (green within 1.25x).
            right: list[tuple[str, bool]] = []
            r = ratio_value(cfg, cells["ours"], cells["ref"])
            if r is not None:
                right.append((("ours/ref " if kind == "thr" else "ref/ours ") + f"{r:.2f}",
                              r >= 1.0))
            o = over_raw(cells["ours"], cells.get(RAW)) if kind == "lat" else None
            if o is not None:
                right.append((f"ours/raw {o:.2f}", o <= 1.25))
            for j, (t, good) in enumerate(right):
                rows.append(f'<text x="{X1 + 50}" y="{y + 9 + 12 * j}" class="'
                            f'{"good" if good else "bad"}">{esc(t)}</text>')
            y += max(gh, 12 * len(right)) + PAD
        for t in ticks:
            tx = xs(t)
            parts.append(f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{y}"'
                         f' class="grid"/>')
            tl = si(t) if kind == "thr" else f"{t:g} us"
            parts.append(f'<text x="{tx:.1f}" y="{y + 12}" class="val"'
                         f' text-anchor="middle">{esc(tl)}</text>')
        parts += rows
        y += 18
    y += 8
    parts.append(f'<text x="{LEFT}" y="{y}" class="sub">{esc(run.command)}</text>')
    y += 10
    style = ("text{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;fill:#1a202c}"
             ".title{font-size:16px;font-weight:bold}.head{font-size:13px;font-weight:bold}"
             ".sub{font-size:11px;fill:#4a5568}.lab{font-size:11px}.val{font-size:9px;"
             "fill:#2d3748}.good{font-size:11px;fill:#276749}.bad{font-size:11px;"
             "fill:#c53030}.grid{stroke:#e2e8f0;stroke-width:1}")
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{y}"'
        f' viewBox="0 0 {W} {y}" role="img">',
        f"<style>{style}</style>",
        f'<rect width="{W}" height="{y}" fill="#ffffff"/>',
        *parts, "</svg>", ""])


# --------------------------------------------------------------------------
# Instructions per message (--instructions)

def listening(endpoint: str) -> bool:
    """Is the binder of endpoint there yet (without connecting to it)?"""
    if endpoint.startswith("ipc://"):
        return Path(endpoint[len("ipc://"):]).exists()
    port = int(endpoint.rsplit(":", 1)[1].split("/")[0])
    try:
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            f = line.split()
            if f[1].endswith(f":{port:04X}") and f[3] == "0A":
                return True
    except OSError:
        return True           # no /proc: hope the connecter's retries cover it
    return False


def callgrind_total(path: Path) -> int | None:
    try:
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def per_message(big: tuple[int, int], small: tuple[int, int], counts: tuple[int, int]
                ) -> tuple[float, float]:
    """(receive, send) instructions per message: the difference of the two
    runs' totals over the difference of their message counts."""
    n = counts[0] - counts[1]
    return (big[0] - small[0]) / n, (big[1] - small[1]) / n


def callgrind_pair(fl: Flavor, cfg: Config, count: int, eps: Endpoints, timeout: float
                   ) -> tuple[int, int] | str:
    """Totals of local_thr (receive) and remote_thr (send) for count messages
    under callgrind, or why not. The sender gets exactly count messages and
    must exit by itself for callgrind to write its totals."""
    local, remote = (fl.bins.get(p) for p in cfg.programs)
    if local is None or remote is None:
        return "not built"
    ep = eps.new(cfg.transport)
    tmp = Path(tempfile.mkdtemp(prefix="zmq-cg-", dir=eps.dir))
    out = {r: tmp / f"{r}.out" for r in ("recv", "send")}

    def vg(role: str, argv: list[str]) -> subprocess.Popen:
        return subprocess.Popen(["valgrind", "--tool=callgrind",
                                 f"--callgrind-out-file={out[role]}", *argv],
                                stdout=(tmp / f"{role}.log").open("w"),
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    procs = [vg("recv", [str(local), ep, str(cfg.size), str(count)])]
    try:
        t = time.monotonic()
        while not listening(ep):
            if procs[0].poll() is not None or time.monotonic() - t > 30:
                return "receiver did not bind: " + (tmp / "recv.log").read_text()[-300:]
            time.sleep(0.05)
        procs.append(vg("send", [str(remote), ep, str(cfg.size), str(count)]))
        deadline = time.monotonic() + timeout
        for p in procs:
            try:
                p.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                # valgrind writes its totals on SIGTERM too (libzmq#4660: the
                # tail of the stream can be lost; the count is then a few short).
                log(f"    callgrind: {Path(p.args[3]).name} timed out, stopping it")
                p.terminate()
                p.wait(timeout=30)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    totals = callgrind_total(out["recv"]), callgrind_total(out["send"])
    logs = "".join((tmp / f"{r}.log").read_text()[-300:] for r in ("recv", "send"))
    shutil.rmtree(tmp, ignore_errors=True)
    if None in totals:
        return "no callgrind totals: " + logs
    return totals[0], totals[1]


def instructions(args: argparse.Namespace, flavors: dict[str, Flavor]) -> int:
    if not shutil.which("valgrind"):
        log("perf: --instructions needs valgrind (apt-get install valgrind)")
        return 2
    big, small = args.instr_counts
    cfgs = [Config(t, "thr", s) for t in args.only for s in args.sizes]
    eps = Endpoints()
    rows, lines, failed = [], [], False
    t0 = time.monotonic()
    try:
        for cfg in cfgs:
            per: dict[str, tuple[float, float]] = {}
            for name in FLAVORS:
                totals = []
                for n in (big, small):
                    res = callgrind_pair(flavors[name], cfg, n, eps, args.timeout * 2)
                    log(f"  {cfg.name:<14} {name:<4} {n:>9,} messages: {res}")
                    if isinstance(res, str):
                        failed = failed or name == "ref"
                        break
                    totals.append(res)
                if len(totals) == 2:
                    per[name] = per_message(totals[0], totals[1], (big, small))
            o, r = per.get("ours"), per.get("ref")

            def cell(v: tuple[float, float] | None, i: int) -> str:
                return "failed" if v is None else f"{v[i]:,.0f}"

            def rat(i: int) -> str:
                return "-" if not (o and r and r[i] > 0) else f"{o[i] / r[i]:.2f}"
            rows.append([cfg.transport, fmt_size(cfg.size), cell(o, 0), cell(r, 0), rat(0),
                         cell(o, 1), cell(r, 1), rat(1)])
            if o and r:
                lines.append(f"instructions ours/ref at {cfg.name}: receive {rat(0)},"
                             f" send {rat(1)}" + ("  [goal: <= 0.6]" if cfg.transport == "tcp"
                                                   and cfg.size == 64 else ""))
    except KeyboardInterrupt:
        log("interrupted: reporting what ran")
    finally:
        eps.close()
    m = machine()
    md = args.markdown
    command = "python3 perf/run.py" + ("" if not args.argv else " " + shlex.join(args.argv))
    head = (f"Instructions per message (valgrind --tool=callgrind on local_thr (receive) and"
            f" remote_thr (send); (total at {big:,} - total at {small:,} messages) /"
            f" {big - small:,}; ours/ref < 1 means ours executes fewer)")
    out = [head if md else "# " + head,
           ("- " if md else "# ") + f"commit {m['commit']} ({m['date']}); {command};"
           f" took {time.monotonic() - t0:.0f} s", ""]
    out.append(table(["transport", "size", "ours receive", "ref receive", "ours/ref",
                      "ours send", "ref send", "ours/ref"], rows, md, 2))
    out.append("")
    out += [("- " if md else "  ") + ln for ln in lines]
    print("\n".join(out))
    if args.json:
        args.json.write_text(json.dumps({"instructions": rows, "counts": [big, small],
                                         "machine": m, "command": command}, indent=1) + "\n")
    return 1 if failed else 0


def progress(cfg: Config, fl: str, rnd: int, rounds: int, o: Outcome) -> None:
    if o.ok:
        val = f"{o.value:,.0f} msg/s" if cfg.kind == "thr" else f"{o.value:.2f} us"
    else:
        val = o.cell
    log(f"  {cfg.transport:<6} {cfg.bench:<6} {fmt_size(cfg.size):>7}  {fl:<4}"
        f" {rnd}/{rounds}  {val}  ({o.seconds:.1f} s)")


# --------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    args = parse_args(argv)
    command = "python3 perf/run.py" + ("" if not args.argv else " " + shlex.join(args.argv))
    if args.from_json:
        run = load_json(args.from_json)
        run.note = args.note or run.note
        print(report(run, args.markdown))
        if args.chart:
            args.chart.write_text(chart_svg(run))
            log(f"chart: {args.chart}")
        return 0
    t0 = time.monotonic()
    raw_bin, raw_err = None, None
    try:
        vendor = find_vendor()
        ensure_reference(args)
        ours_lib = ensure_ours(args)
        flavors = {
            "ours": Flavor("ours", our_include(args), ours_lib),
            "ref": Flavor("ref", REFERENCE / "include", REFERENCE / "lib"),
        }
        if "wss" in args.only:
            if not (REFERENCE_TLS / "lib" / "libzmq.so.5").is_file():
                raise SetupError(f"{REFERENCE_TLS} missing: run "
                                 "tools/build-reference-libzmq.sh --tls")
            flavors["ref-tls"] = Flavor("ref-tls", REFERENCE_TLS / "include",
                                        REFERENCE_TLS / "lib")
        for fl in flavors.values():
            build_flavor(fl, vendor, args.jobs, args.lock)
        if not args.no_raw and not args.instructions:
            raw_bin, raw_err = build_raw(args.lock)
    except SetupError as e:
        log(f"perf: {e}")
        return 2
    for fl in flavors.values():
        for prog, err in sorted(fl.build_errors.items()):
            log(f"perf: {fl.name}: {prog} not built: {err}")
    if flavors["ref"].build_errors or flavors.get("ref-tls", flavors["ref"]).build_errors:
        log("perf: the reference perf programs must build")
        return 2
    if raw_err:
        log(f"perf: the raw floor (perf/raw.c) not built: {raw_err}")
    if args.instructions:
        return instructions(args, flavors)

    cfgs = configs(args)
    counts = {c: message_count(c, args.quick, args.fan) for c in cfgs}
    results = {c: {f: Cell() for f in FLAVORS} for c in cfgs}
    for c in cfgs:
        if c.has_raw and not args.no_raw:
            results[c][RAW] = Cell()
    eps = Endpoints()
    log(f"running {len(cfgs)} configurations x {args.rounds} round(s) x {len(FLAVORS)} libraries"
        + ("" if args.no_raw else " (+ the raw floor for tcp and ipc)"))
    try:
        for cfg in cfgs:
            for rnd in range(1, args.rounds + 1):
                for name in results[cfg]:
                    cell = results[cfg][name]
                    # Failing for lack of a feature is deterministic: once is enough.
                    if cell.outcomes and all(o.cell.startswith("n/a") for o in cell.outcomes):
                        continue
                    if name == RAW:
                        o = (run_raw(raw_bin, cfg, counts[cfg], eps, args.timeout) if raw_bin
                             else Outcome(False, cell="n/a (raw.c not built)"))
                    else:
                        # wss is measured against the reference built with TLS.
                        fl = "ref-tls" if name == "ref" and cfg.transport == "wss" else name
                        o = run_one(flavors[fl], cfg, counts[cfg], eps, args.timeout, args.fan)
                    cell.outcomes.append(o)
                    progress(cfg, name, rnd, args.rounds, o)
                    if not o.ok and name != "ours":
                        log("    " + o.output.strip().replace("\n", "\n    "))
    except KeyboardInterrupt:
        log("interrupted: reporting what ran")
    finally:
        eps.close()
    notes = []
    for fl in flavors.values():
        for prog, err in sorted(fl.build_errors.items()):
            notes.append(f"{fl.name}: {prog} not built: {err}"
                         f" (log: {(fl.root / 'logs' / (prog + '.build.log')).relative_to(REPO)})")
    if raw_err:
        notes.append(f"raw floor not built: {raw_err}")
    run = Run(results, counts, args.rounds, args.fan, command, time.monotonic() - t0, machine(),
              f"{flavors['ours'].lib}/libzmq.so.5, header {flavors['ours'].include}/zmq.h",
              f"{flavors['ref'].lib}/libzmq.so.5 (libzmq 4.3.5 from zeromq-src)", args.note)
    print(report(run, args.markdown, notes))
    if args.json:
        dump_json(args.json, run)
    if args.chart:
        args.chart.parent.mkdir(parents=True, exist_ok=True)
        args.chart.write_text(chart_svg(run))
        log(f"chart: {args.chart}")
    ref_failed = any(not o.ok for cells in results.values() for o in cells["ref"].outcomes)
    return 1 if ref_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
