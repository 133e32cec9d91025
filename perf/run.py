#!/usr/bin/env python3
"""Side-by-side performance of our libzmq.so and the reference libzmq 4.3.5.

Builds libzmq 4.3.5's own perf programs (perf/*.cpp from the zeromq-src
0.3.6+4.3.5 crate: inproc_thr, inproc_lat, proxy_thr, local_thr, remote_thr,
local_lat, remote_lat) twice, with the same compiler and flags:

    target/perf/ref/bin/    upstream zmq.h, linked to target/reference/lib
    target/perf/ours/bin/   our zmq.h,      linked to target/release

then runs every benchmark for both libraries, alternating ours, ref, ours,
ref, ... for N rounds, and prints the median per configuration and the ratio.
Convention: a ratio > 1 always means OURS IS BETTER (throughput: ours/ref,
latency: ref/ours).

The reference library is built with tools/build-reference-libzmq.sh when
target/reference is missing; ours with `cargo build --release` (unless --lib
is given or --no-build). A benchmark that fails, times out or hangs gives a
cell `n/a (EPROTONOSUPPORT)` (transport not implemented) or `failed (...)`
and the run goes on.

Usage:
    python3 perf/run.py --lock /tmp/zmq-build.lock          # full run, ~6 min
    python3 perf/run.py --only inproc --sizes 64,1k --rounds 5
    python3 perf/run.py --quick --only inproc --sizes 64     # smoke test, seconds
    python3 perf/run.py --markdown > table.md                # docs/perf.md format

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
import json
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
BENCHES = ("thr", "lat", "proxy")
FLAVORS = ("ours", "ref")           # the order of each round
DEFAULT_SIZES = (1, 64, 1024, 65536)
# Upstream's cmake builds the perf tools in Release: -O3 -DNDEBUG.
CXXFLAGS = ["-O3", "-DNDEBUG", "-pthread"]

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
    transport: str      # inproc, tcp, ipc
    bench: str          # thr, lat, proxy
    size: int

    @property
    def kind(self) -> str:
        """thr or lat: which table, which ratio."""
        return "lat" if self.bench == "lat" else "thr"

    @property
    def programs(self) -> tuple[str, ...]:
        if self.bench == "proxy":
            return ("proxy_thr",)
        if self.transport == "inproc":
            return (f"inproc_{self.bench}",)
        suffix = {"curve": CURVE_SUFFIX, "wss": WSS_SUFFIX}.get(self.transport, "")
        return (f"local_{self.bench}{suffix}", f"remote_{self.bench}{suffix}")

    @property
    def label(self) -> str:
        return "+".join(self.programs)


def message_count(cfg: Config, quick: bool) -> int:
    """Messages (throughput) or round trips (latency) for about 1-3 s a run
    on a 2-core machine, measured with the reference library."""
    s = cfg.size
    scale = max(1.0, s / 65536)          # beyond 64 KiB: fewer messages
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


def configs(args: argparse.Namespace) -> list[Config]:
    out = []
    for transport in args.only:
        for bench in args.bench:
            if bench == "proxy" and transport != "inproc":
                continue                 # proxy_thr is inproc only
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
    p.add_argument("--bench", default="thr,lat,proxy",
                   type=lambda t: split_list(t, BENCHES, "benchmark"),
                   help="benchmarks: thr (inproc_thr, local/remote_thr), lat (inproc_lat,"
                        " local/remote_lat), proxy (proxy_thr, inproc only); default all")
    p.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                   type=lambda t: sorted({parse_size(x) for x in t.split(",") if x.strip()}),
                   help="message sizes in bytes, k/KiB suffix allowed (default 1,64,1k,64k)")
    p.add_argument("--rounds", type=int, default=None,
                   help="rounds per configuration, each running ours then ref (default 3)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 1/20 of the messages (1/10 of the round trips), 1 round")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="per-run timeout in seconds (default 60)")
    p.add_argument("--markdown", action="store_true",
                   help="print the report as markdown (the format of docs/perf.md)")
    p.add_argument("--json", type=Path, metavar="FILE",
                   help="also write every run's raw result to FILE")
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
    if args.rounds is None:
        args.rounds = 1 if args.quick else 3
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
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
    for header in VARIANTS.values():
        sync_file(HERE / header, src / "perf" / header)
    sync_file(fl.include / "zmq.h", src / "include" / "zmq.h")
    sync_file(REFERENCE / "platform.hpp", src / "config" / "platform.hpp")
    bindir.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    cxx = os.environ.get("CXX", "g++")
    if not shutil.which(cxx):
        raise SetupError(f"no C++ compiler {cxx!r} (install g++ or set CXX)")

    def plan(prog: str) -> tuple[list[str], str, str]:
        """The command, the key of a good build, the key of a failed one."""
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
    every = PROGRAMS + tuple(p + suffix for suffix in VARIANTS for p in CURVE_PROGRAMS)
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


def run_one(fl: Flavor, cfg: Config, count: int, eps: Endpoints, timeout: float) -> Outcome:
    missing = [p for p in cfg.programs if p not in fl.bins]
    if missing:
        return Outcome(False, cell="n/a (not built)")
    size, n = str(cfg.size), str(count)
    bins = [str(fl.bins[p]) for p in cfg.programs]
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


def ratio(cfg: Config, ours: Cell, ref: Cell) -> str:
    a, b = ours.median(), ref.median()
    if a is None or b is None or a <= 0 or b <= 0:
        return "-"
    return f"{(a / b if cfg.kind == 'thr' else b / a):.2f}"


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


def report(args: argparse.Namespace, flavors: dict[str, Flavor],
           results: dict[Config, dict[str, Cell]], counts: dict[Config, int],
           elapsed: float) -> str:
    md = args.markdown
    m = machine()
    command = "python3 perf/run.py" + ("" if not args.argv else " " + shlex.join(args.argv))
    thr_rows, lat_rows = [], []
    for cfg, cells in results.items():
        ours, ref = cells["ours"], cells["ref"]
        base = [cfg.transport, cfg.label, fmt_size(cfg.size)]
        if cfg.kind == "thr":
            thr_rows.append(base + [f"{counts[cfg]:,}",
                                    ours.text(ours.median(), ",.0f"),
                                    ref.text(ref.median(), ",.0f"),
                                    ours.mbps_text(), ref.mbps_text(),
                                    ratio(cfg, ours, ref)])
        else:
            lat_rows.append(base + [f"{counts[cfg]:,}",
                                    ours.text(ours.median(), ".2f"),
                                    ref.text(ref.median(), ".2f"),
                                    ratio(cfg, ours, ref)])
    head = [
        f"Medians of {args.rounds} round(s); each round runs ours then ref.",
        "Ratio > 1 means OURS IS BETTER: throughput ours/ref, latency ref/ours.",
        f"ours: {flavors['ours'].lib}/libzmq.so.5, header {flavors['ours'].include}/zmq.h",
        f"ref:  {flavors['ref'].lib}/libzmq.so.5 (libzmq 4.3.5 from zeromq-src)",
        f"machine: {m['nproc']} CPUs, {m['cpu']}, {m['kernel']}; {m['compiler']}",
        f"commit: {m['commit']}; command: {command}; took {elapsed:.0f} s",
    ]
    out = []
    if md:
        out += ["Medians of %d round(s); each round runs ours then ref. **Ratio > 1 means"
                " ours is better**: throughput ours/ref, latency ref/ours." % args.rounds, "",
                f"- machine: {m['nproc']} CPUs, {m['cpu']}, kernel {m['kernel']}",
                f"- compiler: {m['compiler']}, `{' '.join(CXXFLAGS)}` for both sides",
                f"- commit: `{m['commit']}`",
                f"- command: `{command}` ({elapsed:.0f} s)", ""]
    else:
        out += ["# " + h for h in head] + [""]
    if thr_rows:
        out += ["### Throughput", ""] if md else ["Throughput"]
        out.append(table(["transport", "program", "size", "messages", "ours msg/s",
                          "ref msg/s", "ours Mb/s", "ref Mb/s", "ours/ref"],
                         thr_rows, md, 3))
        out.append("")
    if lat_rows:
        out += ["### Latency (one way, us)", ""] if md else ["Latency (one way, us)"]
        out.append(table(["transport", "program", "size", "round trips", "ours us",
                          "ref us", "ref/ours"], lat_rows, md, 3))
        out.append("")
    notes = []
    for fl in flavors.values():
        for prog, err in sorted(fl.build_errors.items()):
            notes.append(f"{fl.name}: {prog} not built: {err}"
                         f" (log: {(fl.root / 'logs' / (prog + '.build.log')).relative_to(REPO)})")
    if notes:
        out += (["Notes:", ""] if md else ["Notes:"]) + [("- " if md else "  ") + n for n in notes]
        out.append("")
    return "\n".join(out)


def dump_json(path: Path, results: dict[Config, dict[str, Cell]], counts: dict[Config, int]) -> None:
    rows = []
    for cfg, cells in results.items():
        for name, cell in cells.items():
            for i, o in enumerate(cell.outcomes):
                rows.append({"transport": cfg.transport, "bench": cfg.bench, "size": cfg.size,
                             "count": counts[cfg], "library": name, "round": i + 1,
                             "ok": o.ok, "value": o.value, "mbps": o.mbps,
                             "unit": "us" if cfg.kind == "lat" else "msg/s",
                             "cell": o.cell, "seconds": round(o.seconds, 3)})
    path.write_text(json.dumps(rows, indent=1) + "\n")


def progress(cfg: Config, fl: str, rnd: int, rounds: int, o: Outcome) -> None:
    if o.ok:
        val = f"{o.value:,.0f} msg/s" if cfg.kind == "thr" else f"{o.value:.2f} us"
    else:
        val = o.cell
    log(f"  {cfg.transport:<6} {cfg.bench:<5} {fmt_size(cfg.size):>7}  {fl:<4}"
        f" {rnd}/{rounds}  {val}  ({o.seconds:.1f} s)")


# --------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    args = parse_args(argv)
    t0 = time.monotonic()
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
    except SetupError as e:
        log(f"perf: {e}")
        return 2
    for fl in flavors.values():
        for prog, err in sorted(fl.build_errors.items()):
            log(f"perf: {fl.name}: {prog} not built: {err}")
    if flavors["ref"].build_errors or flavors.get("ref-tls", flavors["ref"]).build_errors:
        log("perf: the reference perf programs must build")
        return 2

    cfgs = configs(args)
    counts = {c: message_count(c, args.quick) for c in cfgs}
    results = {c: {f: Cell() for f in FLAVORS} for c in cfgs}
    eps = Endpoints()
    log(f"running {len(cfgs)} configurations x {args.rounds} round(s) x {len(FLAVORS)} libraries")
    try:
        for cfg in cfgs:
            for rnd in range(1, args.rounds + 1):
                for name in FLAVORS:
                    cell = results[cfg][name]
                    # Failing for lack of a feature is deterministic: once is enough.
                    if cell.outcomes and all(o.cell.startswith("n/a") for o in cell.outcomes):
                        continue
                    # wss is measured against the reference built with TLS.
                    fl = "ref-tls" if name == "ref" and cfg.transport == "wss" else name
                    o = run_one(flavors[fl], cfg, counts[cfg], eps, args.timeout)
                    cell.outcomes.append(o)
                    progress(cfg, name, rnd, args.rounds, o)
                    if not o.ok and name == "ref":
                        log("    " + o.output.strip().replace("\n", "\n    "))
    except KeyboardInterrupt:
        log("interrupted: reporting what ran")
    finally:
        eps.close()
    print(report(args, flavors, results, counts, time.monotonic() - t0))
    if args.json:
        dump_json(args.json, results, counts)
    ref_failed = any(not o.ok for cells in results.values() for o in cells["ref"].outcomes)
    return 1 if ref_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
