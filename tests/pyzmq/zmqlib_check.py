"""pytest plugin for tests/pyzmq: which libzmq serves, and what happened.

Loaded with `-p zmqlib_check` (tests/pyzmq on PYTHONPATH) into every pytest
run of tests/pyzmq/run.sh, ours and pyzmq's own suite alike.

1. At the start of the session it proves that the libzmq named by
   ZMQ_TEST_LIB is the one pyzmq's calls reach, and stops the session
   (exit 3) otherwise: the library is mapped into this process
   (/proc/self/maps); `zmq_ctx_new` etc. as pyzmq's extension binds them
   (the global scope, LD_PRELOAD first; for pyzmq's bundled libzmq, which
   the extension loads privately, that library's own handle) are that
   library's (dladdr); a context made through pyzmq is one of its contexts
   (a `zmq_ctx_set` through pyzmq read back with that library's
   `zmq_ctx_get`); `zmq.zmq_version()` is 4.3.5; and `zmq.has("wss")` is
   what that library says, and ZMQ_TEST_EXPECT_WSS when set: 1 for ours,
   0 for pyzmq's bundled one (built without TLS), so the two cannot be
   mistaken for each other. With ZMQ_TEST_BUNDLED=1 the library must be the
   wheel's own (pyzmq.libs/libzmq-*.so*) and ours must not be mapped.
   One line tells what was found.

2. With PYZMQ_OUTCOMES=FILE it writes the outcome of every test, by node
   id, as JSON: {"nodeid": {"outcome": "passed|failed|skipped",
   "reason": "...", "duration": s, "reruns": n}}, for tests/pyzmq/suite.py
   to compare with the expected list.
"""

from __future__ import annotations

import ctypes
import glob
import json
import os
from pathlib import Path

import pytest

LIB = os.path.realpath(os.environ.get("ZMQ_TEST_LIB", "/nonexistent"))
BUNDLED = os.environ.get("ZMQ_TEST_BUNDLED") == "1"
# What zmq.has("wss") must say: 1 for ours, 0 for pyzmq's bundled libzmq
# (run.sh sets it for those two); unset for another library.
EXPECT_WSS = {"1": True, "0": False}.get(os.environ.get("ZMQ_TEST_EXPECT_WSS", ""))
OUR_LIB_NAME = "libzmq.so"          # ours is loaded as target/release/libzmq.so
SYMBOLS = ("zmq_ctx_new", "zmq_socket", "zmq_msg_send", "zmq_msg_recv",
           "zmq_setsockopt", "zmq_poll", "zmq_has")


class DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def bundled_libzmq() -> str:
    import zmq
    site = Path(zmq.__file__).resolve().parent.parent
    found = glob.glob(str(site / "pyzmq.libs" / "libzmq-*.so*"))
    assert len(found) == 1, f"pyzmq's bundled libzmq not found under {site}: {found}"
    return os.path.realpath(found[0])


def mapped_files() -> set[str]:
    out = set()
    for line in Path("/proc/self/maps").read_text().splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5].startswith("/"):
            out.add(os.path.realpath(fields[5].strip()))
    return out


def check_serving(lib: str = LIB, bundled: bool = BUNDLED) -> str:
    """Raises AssertionError unless `lib` serves pyzmq; returns a summary."""
    import zmq

    assert os.path.isfile(lib), f"ZMQ_TEST_LIB={lib!r} is not a file (use tests/pyzmq/run.sh)"
    if bundled:
        assert lib == bundled_libzmq(), f"{lib} is not pyzmq's bundled libzmq"
    ctx = zmq.Context()         # makes sure pyzmq's extension is loaded and used
    try:
        maps = mapped_files()
        assert lib in maps, f"{lib} is not mapped: is it in LD_PRELOAD?"
        if bundled:
            ours = [m for m in maps if os.path.basename(m) == OUR_LIB_NAME]
            assert not ours, f"another libzmq is mapped: {ours}"

        # What the pyzmq extension's undefined zmq_* references bind to:
        # the global scope (LD_PRELOAD first) for ours; the bundled library
        # is the extension's private DT_NEEDED, so look in its own handle.
        scope = ctypes.CDLL(lib if bundled else None)
        lib_handle = ctypes.CDLL(lib)
        libc = ctypes.CDLL(None)
        for name in SYMBOLS:
            info = DlInfo()
            addr = ctypes.cast(getattr(scope, name), ctypes.c_void_p)
            assert libc.dladdr(addr, ctypes.byref(info)) != 0, name
            where = os.path.realpath(info.dli_fname.decode())
            assert where == lib, f"{name} resolves to {where}, not {lib}"

        lib_handle.zmq_ctx_get.argtypes = [ctypes.c_void_p, ctypes.c_int]
        ctx.set(zmq.MAX_SOCKETS, 777)
        assert lib_handle.zmq_ctx_get(ctx.underlying, zmq.MAX_SOCKETS) == 777, \
            "a context made through pyzmq is not one of this library's"

        assert zmq.zmq_version() == "4.3.5", zmq.zmq_version()
        lib_handle.zmq_has.argtypes = [ctypes.c_char_p]
        wss = bool(lib_handle.zmq_has(b"wss"))
        assert zmq.has("wss") is wss
        # ours has wss (rustls); the wheel's libzmq is built without TLS.
        if EXPECT_WSS is not None:
            assert wss is EXPECT_WSS, f"zmq.has('wss') is {wss} on {lib}"
    finally:
        ctx.term()
    return (f"libzmq serving pyzmq {zmq.pyzmq_version()}: {lib} "
            f"(zmq_version {zmq.zmq_version()}, has wss: {int(wss)}, "
            f"{'bundled' if bundled else 'LD_PRELOAD'})")


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session):
    try:
        line = check_serving()
    except AssertionError as e:
        pytest.exit(f"zmqlib_check: wrong libzmq: {e}", returncode=3)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)


_outcomes: dict[str, dict] = {}


def pytest_runtest_logreport(report):
    rec = _outcomes.setdefault(report.nodeid, {"outcome": "passed", "reason": "",
                                               "duration": 0.0, "reruns": 0})
    rec["duration"] += report.duration
    if report.outcome == "rerun":           # pytest-rerunfailures: tried again
        rec["reruns"] += 1
        rec["outcome"], rec["reason"] = "passed", ""
        return
    if report.failed:
        rec["outcome"] = "failed"
        if not rec["reason"]:
            rec["reason"] = f"{report.when}: " + (
                report.longrepr.reprcrash.message.splitlines()[0]
                if hasattr(report.longrepr, "reprcrash") and report.longrepr.reprcrash
                else str(report.longrepr).splitlines()[-1] if report.longrepr else "")
    elif report.skipped and rec["outcome"] != "failed":
        rec["outcome"] = "skipped"
        lr = report.longrepr
        rec["reason"] = lr[2] if isinstance(lr, tuple) else str(lr)


def pytest_collectreport(report):
    """A module that did not import fails; one that skips as a whole
    (pytest.importorskip) is one skipped test under the module's node id."""
    if report.failed:
        _outcomes[report.nodeid] = {"outcome": "failed", "duration": 0.0, "reruns": 0,
                                    "reason": "collection: " + str(report.longrepr).splitlines()[-1]}
    elif report.skipped:
        lr = report.longrepr
        _outcomes[report.nodeid] = {"outcome": "skipped", "duration": 0.0, "reruns": 0,
                                    "reason": lr[2] if isinstance(lr, tuple) else str(lr)}


def pytest_sessionfinish(session):
    out = os.environ.get("PYZMQ_OUTCOMES")
    if out:
        Path(out).write_text(json.dumps(_outcomes, indent=1, sort_keys=True) + "\n")
