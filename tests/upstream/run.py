#!/usr/bin/env python3
"""Run libzmq 4.3.5's own test suite (tests/test_*.cpp) against our libzmq.so.

The upstream sources come from the zeromq-src 0.3.6+4.3.5 crate (a
dev-dependency; `cargo fetch` downloads it). The runner:

1. stages a scratch tree (default tests/upstream/build/) with copies of the
   vendored tests/, src/ and external/unity/, OUR zmq.h and zmq_utils.h in
   include/ (the tests include "../include/zmq.h" by relative path) and the
   checked-in Linux platform.hpp (selected with -DZMQ_CUSTOM_PLATFORM_HPP);
2. compiles the shared support code once, then every test in parallel,
   linking -lzmq from the library directory (with an rpath to it); objects
   and binaries are cached and rebuilt only when an input or flag changed;
3. runs the tests with a timeout: a parallel batch first, then the tests
   that bind fixed ports one at a time;
4. prints one verdict line per test, compares with expected-pass.txt and
   ends with the summary line `upstream: N passed, M failed, K skipped`.

Exit status: 0 when every test listed in expected-pass.txt passed, 1 on a
regression, 2 on a setup error. Tests in excluded.txt are never built.

Usage:
    python3 tests/upstream/run.py                    # target/release, include/
    python3 tests/upstream/run.py --lib target/reference/lib \\
        --include target/reference/include          # the real libzmq
    python3 tests/upstream/run.py --only test_pair_tcp,spec_rep --verbose
    python3 tests/upstream/run.py --list

Options: --lib DIR, --include DIR, --build-dir DIR, --only NAMES, --jobs N,
--keep-going (do not stop after the first regression), --verbose (tail of
failing output), --list, --build-only, --lock FILE (hold an flock on FILE
while compiling), --timeout S, --slow-timeout S, --wrapper CMD (run each
test under CMD, e.g. valgrind). Python 3.11, stdlib only.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import dataclasses
import fcntl
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
VENDOR_GLOB = "registry/src/*/zeromq-src-0.3.6+4.3.5/vendor"

# The compile flags upstream's own build gives the tests.
DEFINES = [
    "-D_REENTRANT", "-D_THREAD_SAFE", "-D_GNU_SOURCE",
    "-DUNITY_USE_COMMAND_LINE_ARGS", "-DUNITY_EXCLUDE_FLOAT",
    "-DZMQ_BUILD_DRAFT_API=1", "-DZMQ_CUSTOM_PLATFORM_HPP",
]
OPT_FLAGS = ["-O0", "-g", "-pthread"]
# Shared test support, archived as upstream's cmake does (testutil and unity
# are static libraries), so a test pulls in only the helpers it uses.
SUPPORT_ARCHIVES = {
    "libtestutil.a": ["tests/testutil.cpp", "tests/testutil_unity.cpp",
                      "tests/testutil_monitoring.cpp", "tests/testutil_security.cpp"],
    "libunity.a": ["external/unity/unity.c"],
}
# test_security_curve drives a hand-rolled CURVE client (src/curve_client_
# tools.hpp) over tcp, built on these vendored sources and libsodium.
CURVE_TEST = "test_security_curve"
CURVE_SOURCES = ["src/err.cpp", "src/random.cpp", "src/clock.cpp"]

# Tests binding fixed ports 127.0.0.1:5555-5561: never run two at once.
SERIAL_TESTS = frozenset({
    "test_bind_after_connect_tcp", "test_bind_src_address",
    "test_connect_resolve", "test_dgram", "test_disconnect_msg",
    "test_immediate", "test_last_endpoint", "test_radio_dish",
    "test_reconnect_options", "test_req_relaxed", "test_socks",
})
# Tests taking well over a few seconds on the reference: longer timeout.
SLOW_TESTS = frozenset({
    "test_heartbeats", "test_security_zap", "test_security_curve",
    "test_radio_dish", "test_reconnect_ivl", "test_socks",
    "test_reconnect_options", "test_req_relaxed", "test_spec_pushpull",
})
SKIP_EXIT = 77
TAIL_LINES = 40
UNITY_SUMMARY = re.compile(r"^(\d+) Tests (\d+) Failures (\d+) Ignored", re.M)


class SetupError(Exception):
    """A problem with the environment: reported in one line, exit code 2."""


@dataclasses.dataclass
class Paths:
    """Where everything lives."""
    vendor: Path
    include: Path
    lib: Path
    stage: Path

    @property
    def obj(self) -> Path:
        return self.stage / "obj"

    @property
    def bin(self) -> Path:
        return self.stage / "bin"

    @property
    def logs(self) -> Path:
        return self.stage / "logs"

    @property
    def run(self) -> Path:
        return self.stage / "run"


@dataclasses.dataclass
class Result:
    """The outcome of one test."""
    name: str
    status: str          # PASS, FAIL, TIMEOUT, SKIP, BUILD-FAIL, NOT-RUN
    detail: str = ""
    log: Path | None = None

    @property
    def passed(self) -> bool:
        return self.status == "PASS"

    @property
    def failed(self) -> bool:
        return self.status in ("FAIL", "TIMEOUT", "BUILD-FAIL")


# --------------------------------------------------------------------------
# Configuration: command line, lists, locations

def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Run libzmq 4.3.5's test suite against a libzmq.so.")
    p.add_argument("--lib", type=Path, default=REPO / "target" / "release",
                   help="directory holding libzmq.so (default target/release)")
    p.add_argument("--include", type=Path, default=REPO / "include",
                   help="directory holding zmq.h and zmq_utils.h (default include/)")
    p.add_argument("--build-dir", type=Path, default=HERE / "build",
                   help="scratch tree (default tests/upstream/build)")
    p.add_argument("--only", metavar="NAME[,NAME]",
                   help="run only these tests (the test_ prefix may be omitted)")
    p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                   help="parallel compiles and test runs (default nproc)")
    p.add_argument("--keep-going", "-k", action="store_true",
                   help="run everything even after a regression")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="print the tail of the output of failing tests")
    p.add_argument("--list", action="store_true",
                   help="list the tests that would run, and the excluded ones")
    p.add_argument("--build-only", action="store_true",
                   help="stage and compile, run nothing")
    p.add_argument("--lock", type=Path, metavar="FILE",
                   help="hold an exclusive flock on FILE while compiling")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="per-test timeout in seconds (default 30)")
    p.add_argument("--slow-timeout", type=float, default=90.0,
                   help="timeout of the known slow tests (default 90)")
    p.add_argument("--wrapper", metavar="CMD", default="",
                   help="run each test under CMD, split as a shell would "
                        "(tools/memcheck.sh: valgrind); it runs in the test's "
                        "fresh directory under BUILD_DIR/run/")
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    return args


def read_name_list(path: Path) -> dict[str, str]:
    """Parse `name  # comment` lines; returns name -> comment."""
    names: dict[str, str] = {}
    for line in path.read_text().splitlines():
        body, _, comment = line.partition("#")
        body = body.strip()
        if body:
            names[body] = comment.strip()
    return names


def find_vendor() -> Path:
    cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    for candidate in sorted(cargo_home.glob(VENDOR_GLOB)):
        if (candidate / "tests" / "testutil.cpp").is_file():
            return candidate
    raise SetupError(f"zeromq-src 0.3.6+4.3.5 not found under {cargo_home}/registry/src;"
                     f" run `cargo fetch` in {REPO}")


def resolve_paths(args: argparse.Namespace) -> Paths:
    include, lib = args.include.resolve(), args.lib.resolve()
    if not (include / "zmq.h").is_file():
        raise SetupError(f"no zmq.h in {include} (pass --include DIR)")
    if not any((lib / n).exists() for n in ("libzmq.so", "libzmq.so.5")):
        raise SetupError(f"no libzmq.so in {lib}: run `cargo build --release` or pass --lib DIR")
    return Paths(find_vendor(), include, lib, args.build_dir.resolve())


def all_tests(vendor: Path) -> list[str]:
    return sorted(p.stem for p in (vendor / "tests").glob("test_*.cpp"))


def select_tests(args: argparse.Namespace, available: list[str],
                 excluded: dict[str, str]) -> list[str]:
    runnable = [t for t in available if t not in excluded]
    if not args.only:
        return runnable
    chosen = []
    for raw in args.only.split(","):
        name = raw.strip()
        if not name:
            continue
        if not name.startswith("test_"):
            name = "test_" + name
        if name in excluded:
            raise SetupError(f"{name} is excluded: {excluded[name]}")
        if name not in available:
            raise SetupError(f"no upstream test named {name}")
        if name not in chosen:
            chosen.append(name)
    return chosen


def check_expected(expected: set[str], available: list[str],
                   excluded: dict[str, str]) -> None:
    for name in sorted(expected):
        if name not in available:
            raise SetupError(f"expected-pass.txt lists unknown test {name}")
        if name in excluded:
            raise SetupError(f"expected-pass.txt lists excluded test {name}")


def timeout_for(name: str, args: argparse.Namespace) -> float:
    return args.slow_timeout if name in SLOW_TESTS else args.timeout


def print_list(tests: list[str], excluded: dict[str, str], expected: set[str],
               args: argparse.Namespace) -> None:
    for name in tests:
        tags = [f"timeout {timeout_for(name, args):g}s"]
        if name in SERIAL_TESTS:
            tags.append("serial")
        if name in expected:
            tags.append("expected-pass")
        print(f"{name:<36} {' '.join(tags)}")
    for name, reason in excluded.items():
        print(f"{name:<36} excluded: {reason}")


# --------------------------------------------------------------------------
# Prerequisites

def ensure_tools(need_sodium: bool) -> None:
    """Install missing compilers/libsodium with apt-get as root, else fail."""
    cc, cxx = compilers()
    missing = [pkg for tool, pkg in ((cc, "gcc"), (cxx, "g++")) if not shutil.which(tool)]
    if need_sodium and not sodium_available():
        missing.append("libsodium-dev")
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing {' '.join(missing)} with apt-get", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for cmd in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", *missing]):
            if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode:
                raise SetupError(f"`{' '.join(cmd)}` failed; install {' '.join(missing)}")
        return
    raise SetupError(f"missing build prerequisites; install: {' '.join(missing)}")


def sodium_available() -> bool:
    if shutil.which("pkg-config"):
        return subprocess.run(["pkg-config", "--exists", "libsodium"]).returncode == 0
    return any(Path(d, "sodium.h").is_file() for d in ("/usr/include", "/usr/local/include"))


def compilers() -> tuple[str, str]:
    return os.environ.get("CC", "gcc"), os.environ.get("CXX", "g++")


# --------------------------------------------------------------------------
# Staging: copy only what changed, so that file times drive the cache

def sync_file(src: Path, dst: Path) -> None:
    """Copy src to dst unless dst already has the same bytes."""
    if dst.is_file() and dst.stat().st_size == src.stat().st_size \
            and dst.read_bytes() == src.read_bytes():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def sync_tree(src: Path, dst: Path) -> None:
    for path in src.rglob("*"):
        if path.is_file():
            sync_file(path, dst / path.relative_to(src))


def stage(paths: Paths) -> None:
    for sub in ("tests", "src", "external/unity"):
        sync_tree(paths.vendor / sub, paths.stage / sub)
    sync_file(paths.include / "zmq.h", paths.stage / "include" / "zmq.h")
    utils = paths.include / "zmq_utils.h"
    staged_utils = paths.stage / "include" / "zmq_utils.h"
    if utils.is_file():
        sync_file(utils, staged_utils)
    else:
        staged_utils.unlink(missing_ok=True)
        print(f"note: no zmq_utils.h in {paths.include} (no upstream test includes it)")
    sync_file(HERE / "platform.hpp", paths.stage / "config" / "platform.hpp")
    for d in (paths.obj, paths.bin, paths.logs, paths.run):
        d.mkdir(parents=True, exist_ok=True)


# --------------------------------------------------------------------------
# Compiling with a dependency-file cache

def include_flags(paths: Paths) -> list[str]:
    return [f"-I{paths.stage / 'config'}", f"-I{paths.stage / 'external' / 'unity'}"]


def object_for(paths: Paths, source: str) -> Path:
    return paths.obj / (source.replace("/", "__") + ".o")


def read_depfile(depfile: Path) -> list[Path]:
    text = depfile.read_text().replace("\\\n", " ").replace("\\ ", "\0")
    _, _, deps = text.partition(":")
    return [Path(d.replace("\0", " ")) for d in deps.split()]


def is_fresh(target: Path, cmd: list[str], inputs: list[Path]) -> bool:
    """True when target exists, was built by the same command, and is newer
    than all its inputs."""
    cmdfile = target.with_name(target.name + ".cmd")
    if not target.exists() or not cmdfile.is_file():
        return False
    if cmdfile.read_text() != "\0".join(cmd):
        return False
    built = target.stat().st_mtime_ns
    return all(p.exists() and p.stat().st_mtime_ns <= built for p in inputs)


def run_build_step(cmd: list[str], target: Path, log: Path) -> bool:
    """Run a compile/link command; remember the command on success."""
    cmdfile = target.with_name(target.name + ".cmd")
    cmdfile.unlink(missing_ok=True)
    with log.open("a") as out:
        out.write("$ " + " ".join(cmd) + "\n")
        out.flush()
        ok = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode == 0
    if ok:
        cmdfile.write_text("\0".join(cmd))
    else:
        target.unlink(missing_ok=True)
    return ok


def compile_source(paths: Paths, source: str, log: Path) -> Path | None:
    """Compile one staged source to an object; None on failure."""
    cc, cxx = compilers()
    src = paths.stage / source
    obj = object_for(paths, source)
    dep = obj.with_suffix(".d")
    compiler = cc if source.endswith(".c") else cxx
    cmd = [compiler, *DEFINES, *include_flags(paths), *OPT_FLAGS,
           "-MMD", "-MF", str(dep), "-c", str(src), "-o", str(obj)]
    if dep.is_file() and is_fresh(obj, cmd, read_depfile(dep)):
        return obj
    return obj if run_build_step(cmd, obj, log) else None


def link_test(paths: Paths, name: str, inputs: list[Path], log: Path) -> Path | None:
    """Link objects and archives (in link order) with -lzmq into bin/NAME."""
    _, cxx = compilers()
    exe = paths.bin / name
    libs = [f"-L{paths.lib}", f"-Wl,-rpath,{paths.lib}", "-lzmq", "-lpthread"]
    if name == CURVE_TEST:
        libs.append("-lsodium")
    cmd = [cxx, "-pthread", *map(str, inputs), "-o", str(exe), *libs]
    if is_fresh(exe, cmd, inputs):
        return exe
    return exe if run_build_step(cmd, exe, log) else None


def archive(paths: Paths, name: str, objects: list[Path], log: Path) -> Path | None:
    lib = paths.obj / name
    cmd = [os.environ.get("AR", "ar"), "rcs", str(lib), *map(str, objects)]
    if is_fresh(lib, cmd, objects):
        return lib
    lib.unlink(missing_ok=True)
    return lib if run_build_step(cmd, lib, log) else None


@dataclasses.dataclass
class Support:
    """What every test links besides its own object."""
    archives: list[Path]       # in link order
    curve_objects: list[Path] | None  # for test_security_curve; None = broken


def build_support(paths: Paths, tests: list[str], jobs: int) -> Support:
    """Compile and archive the shared test code; SetupError if it fails."""
    sources = [s for srcs in SUPPORT_ARCHIVES.values() for s in srcs]
    if CURVE_TEST in tests:
        sources += CURVE_SOURCES
    log = paths.logs / "support.build.log"
    log.write_text("")
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        objects = dict(zip(sources, pool.map(lambda s: compile_source(paths, s, log), sources)))
    archives = [archive(paths, name, [objects[s] for s in srcs], log)
                if all(objects[s] for s in srcs) else None
                for name, srcs in SUPPORT_ARCHIVES.items()]
    if None in archives:
        raise SetupError(f"the shared test support does not compile with this zmq.h; see {log}")
    curve = [objects[s] for s in sources if s in CURVE_SOURCES]
    return Support(archives, None if None in curve else curve)


def build_test(paths: Paths, name: str, support: Support) -> Path | None:
    log = paths.logs / f"{name}.build.log"
    log.write_text("")
    extra: list[Path] = []
    if name == CURVE_TEST:
        if support.curve_objects is None:
            log.write_text(f"vendored {' '.join(CURVE_SOURCES)} do not compile;"
                           f" see {paths.logs / 'support.build.log'}\n")
            return None
        extra = support.curve_objects
    obj = compile_source(paths, f"tests/{name}.cpp", log)
    if obj is None:
        return None
    return link_test(paths, name, [obj, *extra, *support.archives], log)


def build_all(paths: Paths, tests: list[str], jobs: int) -> dict[str, Path | None]:
    """Compile every selected test; returns name -> executable (None = failed)."""
    support = build_support(paths, tests, jobs)
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        exes = pool.map(lambda t: build_test(paths, t, support), tests)
        return dict(zip(tests, exes))


@contextlib.contextmanager
def build_lock(lockfile: Path | None):
    if lockfile is None:
        yield
        return
    with lockfile.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------------
# Running and classifying

def test_env(paths: Paths) -> dict[str, str]:
    env = dict(os.environ)
    old = env.get("LD_LIBRARY_PATH")
    env["LD_LIBRARY_PATH"] = f"{paths.lib}:{old}" if old else str(paths.lib)
    return env


def fresh_workdir(paths: Paths, name: str) -> Path:
    workdir = paths.run / name
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    return workdir


def execute(exe: Path, workdir: Path, env: dict[str, str], log: Path,
            timeout: float, wrapper: list[str]) -> tuple[int | None, float]:
    """Run exe in its own process group; returns (exit code or None on
    timeout, seconds). A timed-out test's whole group is killed."""
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen([*wrapper, str(exe)], cwd=workdir, env=env,
                                stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code: int | None = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            code = None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)   # also reaps forked children
        proc.wait()
    return code, time.monotonic() - start


def classify(name: str, code: int | None, seconds: float, timeout: float,
             log: Path) -> Result:
    if code is None:
        return Result(name, "TIMEOUT", f"killed after {timeout:g}s", log)
    summary = UNITY_SUMMARY.findall(log.read_text(errors="replace"))
    tests, failures, ignored = map(int, summary[-1]) if summary else (0, 0, 0)
    timing = f"{seconds:.1f}s"
    if code == SKIP_EXIT:
        return Result(name, "SKIP", f"exit 77, {timing}", log)
    if code < 0:
        sig = signal.Signals(-code).name if -code in signal.valid_signals() else -code
        return Result(name, "FAIL", f"killed by {sig}, {timing}", log)
    if code != 0 or failures:
        return Result(name, "FAIL", f"exit {code}, {failures} of {tests} cases failed, {timing}", log)
    if not summary and "skipping test" in log.read_text(errors="replace"):
        # test_security_curve returns 0 before Unity starts when CURVE is
        # missing: nothing was tested. (test_proxy_hwm never uses Unity.)
        return Result(name, "SKIP", f"exit 0, skipped by the test, {timing}", log)
    if summary and ignored == tests:
        return Result(name, "SKIP", f"all {tests} cases ignored, {timing}", log)
    # The case count shows what ran (a test may return early, as
    # test_security_curve does without CURVE).
    if not summary:
        note = ", no Unity summary"
    elif ignored:
        note = f", {tests - ignored} of {tests} cases run, {ignored} ignored"
    else:
        note = f", {tests} cases"
    return Result(name, "PASS", f"{timing}{note}", log)


def run_one(paths: Paths, name: str, exe: Path, args: argparse.Namespace) -> Result:
    timeout = timeout_for(name, args)
    log = paths.logs / f"{name}.log"
    code, seconds = execute(exe, fresh_workdir(paths, name), test_env(paths), log, timeout,
                            shlex.split(args.wrapper))
    return classify(name, code, seconds, timeout, log)


class Reporter:
    """Prints verdicts as they arrive and decides when to stop early."""

    def __init__(self, expected: set[str], keep_going: bool, verbose: bool):
        self.expected = expected
        self.keep_going = keep_going
        self.verbose = verbose
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.results: dict[str, Result] = {}

    def report(self, result: Result) -> None:
        with self.lock:
            self.results[result.name] = result
            print(f"{result.status:<10} {result.name:<36} {result.detail}".rstrip(), flush=True)
            if self.verbose and result.failed and result.log:
                print_tail(result.log)
            if result.name in self.expected and not result.passed and not self.keep_going:
                self.stop.set()


def print_tail(log: Path) -> None:
    lines = log.read_text(errors="replace").splitlines()[-TAIL_LINES:]
    for line in lines:
        print(f"    | {line}")


def run_all(paths: Paths, exes: dict[str, Path | None], args: argparse.Namespace,
            reporter: Reporter) -> None:
    """Parallel batch (slowest first), then the fixed-port tests serially."""
    for name, exe in exes.items():
        if exe is None:
            reporter.report(Result(name, "BUILD-FAIL", f"see {paths.logs / (name + '.build.log')}",
                                   paths.logs / f"{name}.build.log"))
    runnable = [n for n, e in exes.items() if e is not None]
    parallel = sorted((n for n in runnable if n not in SERIAL_TESTS),
                      key=lambda n: (n not in SLOW_TESTS, n))
    serial = [n for n in runnable if n in SERIAL_TESTS]

    def task(name: str) -> None:
        if reporter.stop.is_set():
            reporter.report(Result(name, "NOT-RUN", "stopped after a regression (--keep-going runs all)"))
        else:
            reporter.report(run_one(paths, name, exes[name], args))

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(task, parallel))
    for name in serial:
        task(name)


# --------------------------------------------------------------------------
# Verdict

def summarize(results: dict[str, Result], expected: set[str]) -> int:
    """Print regressions, new passes and the summary line; return exit code."""
    regressions = sorted(n for n in expected if n in results and not results[n].passed)
    new_passes = sorted(n for n, r in results.items() if r.passed and n not in expected)
    for name in regressions:
        print(f"REGRESSION {name}: {results[name].status} {results[name].detail}".rstrip())
    for name in new_passes:
        print(f"NEW PASS (add to expected-pass.txt) {name}")
    not_run = sum(r.status == "NOT-RUN" for r in results.values())
    if not_run:
        print(f"not run: {not_run} (stopped after a regression)")
    passed = sum(r.passed for r in results.values())
    failed = sum(r.failed for r in results.values())
    skipped = sum(r.status == "SKIP" for r in results.values())
    print(f"upstream: {passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return 1 if regressions else 0


@dataclasses.dataclass
class Selection:
    tests: list[str]          # what this invocation builds and runs
    expected: set[str]        # the part of expected-pass.txt among them
    excluded: dict[str, str]  # name -> reason


def load_selection(args: argparse.Namespace) -> Selection:
    excluded = read_name_list(HERE / "excluded.txt")
    expected = set(read_name_list(HERE / "expected-pass.txt"))
    available = all_tests(find_vendor())
    check_expected(expected, available, excluded)
    tests = select_tests(args, available, excluded)
    return Selection(tests, expected & set(tests), excluded)


def build_phase(args: argparse.Namespace, sel: Selection) -> tuple[Paths, dict[str, Path | None]]:
    paths = resolve_paths(args)
    ensure_tools(need_sodium=CURVE_TEST in sel.tests)
    print(f"upstream suite: {len(sel.tests)} tests, lib {paths.lib}, include {paths.include}",
          flush=True)
    started = time.monotonic()
    with build_lock(args.lock):
        stage(paths)
        exes = build_all(paths, sel.tests, args.jobs)
    print(f"built in {time.monotonic() - started:.0f}s", flush=True)
    return paths, exes


def report_build_only(paths: Paths, exes: dict[str, Path | None], sel: Selection) -> int:
    broken = sorted(n for n, e in exes.items() if e is None)
    for name in broken:
        print(f"BUILD-FAIL {name:<36} see {paths.logs / (name + '.build.log')}")
    return 1 if set(broken) & sel.expected else 0


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # quiet `run.py --list | head`
    args = parse_args(argv)
    started = time.monotonic()
    try:
        sel = load_selection(args)
        if args.list:
            print_list(sel.tests, {} if args.only else sel.excluded, sel.expected, args)
            return 0
        paths, exes = build_phase(args, sel)
    except SetupError as err:
        print(f"run.py: {err}", file=sys.stderr)
        return 2
    if args.build_only:
        return report_build_only(paths, exes, sel)
    reporter = Reporter(sel.expected, args.keep_going, args.verbose)
    run_started = time.monotonic()
    run_all(paths, exes, args, reporter)
    now = time.monotonic()
    print(f"ran in {now - run_started:.0f}s (total {now - started:.0f}s)", flush=True)
    return summarize(reporter.results, sel.expected)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
