#!/usr/bin/env python3
"""Tests of the perf harness (perf/run.py). Python 3.11, stdlib only.

    python3 perf/test_run.py            # everything, a few seconds once built
    python3 perf/test_run.py Unit       # parsing and process handling only:
                                        # no compiler, no library, < 2 s

`Smoke` runs `perf/run.py --quick --only inproc --sizes 64` for real: the
first time it builds the reference libzmq (minutes) and the perf programs;
afterwards it takes a few seconds. Set ZMQ_BUILD_LOCK=/tmp/zmq-build.lock on
the shared machine so those builds take the lock.
"""

from __future__ import annotations

import subprocess
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run  # noqa: E402


def sh(script: str) -> list[str]:
    return ["/bin/sh", "-c", script]


class Unit(unittest.TestCase):
    def test_parse_throughput(self):
        out = ("message size: 64 [B]\nmessage count: 100000\n"
               "mean throughput: 2785903 [msg/s]\nmean throughput: 1426.382 [Mb/s]\n")
        self.assertEqual(run.parse_result("thr", out), (2785903.0, 1426.382))
        self.assertIsNone(run.parse_result("lat", out))

    def test_parse_latency(self):
        out = "message size: 1 [B]\nroundtrip count: 5000\naverage latency: 4.880 [us]\n"
        self.assertEqual(run.parse_result("lat", out), (4.88, 0.0))
        self.assertIsNone(run.parse_result("thr", out))

    def test_diagnose(self):
        self.assertEqual(run.diagnose("error in zmq_bind: Protocol not supported\n", 255),
                         "n/a (EPROTONOSUPPORT)")
        self.assertEqual(run.diagnose("error in zmq_bind: Address already in use\n", 255),
                         "failed (EADDRINUSE)")
        self.assertEqual(run.diagnose("error in zmq_connect: Context was terminated\n", 255),
                         "failed (ETERM)")
        self.assertEqual(run.diagnose("error in zmq_recvmsg: Bogus text\n", 255),
                         "failed (zmq_recvmsg: Bogus text)")
        self.assertEqual(run.diagnose("zmq_connect (pubsocket, x) failed, errno = 93"
                                      " (Protocol not supported)", 1), "n/a (EPROTONOSUPPORT)")
        self.assertEqual(run.diagnose("", -11), "failed (SIGSEGV)")
        self.assertEqual(run.diagnose("", 3), "failed (exit 3)")
        self.assertEqual(run.diagnose("./x: symbol lookup error: ./x: undefined symbol: zmq_init",
                                      127), "failed (symbol lookup)")

    def test_sizes_and_counts(self):
        self.assertEqual([run.parse_size(x) for x in ("1", "64B", "1k", "64KiB", "1m")],
                         [1, 64, 1024, 65536, 1 << 20])
        self.assertEqual([run.fmt_size(x) for x in (1, 64, 1024, 65536, 1000)],
                         ["1 B", "64 B", "1 KiB", "64 KiB", "1000 B"])
        big = run.Config("tcp", "thr", 1 << 20)
        self.assertLess(run.message_count(big, False),
                        run.message_count(run.Config("tcp", "thr", 65536), False))
        for cfg in (run.Config("inproc", "lat", 64), run.Config("ipc", "thr", 1)):
            self.assertLess(run.message_count(cfg, True), run.message_count(cfg, False))

    def test_args(self):
        a = run.parse_args(["--quick", "--only", "tcp,inproc", "--sizes", "64,1k"])
        self.assertEqual((a.only, a.sizes, a.rounds), (["inproc", "tcp"], [64, 1024], 1))
        self.assertEqual(run.parse_args([]).rounds, 5)
        cfgs = run.configs(a)
        self.assertIn(run.Config("inproc", "proxy", 64), cfgs)
        self.assertNotIn(run.Config("tcp", "proxy", 64), cfgs)
        with self.assertRaises(SystemExit):
            run.parse_args(["--only", "udp"])

    def test_pair_success_kills_peer(self):
        t = time.monotonic()
        o = run.run_procs([sh("echo 'average latency: 12.500 [us]'; sleep 30"),
                           sh("sleep 0.1; echo 'mean throughput: 10 [msg/s]';"
                              " echo 'mean throughput: 0.5 [Mb/s]'")],
                          1, "thr", 10)
        self.assertTrue(o.ok, o.output)
        self.assertEqual((o.value, o.mbps), (10.0, 0.5))
        self.assertLess(time.monotonic() - t, 5)

    def test_bind_failure_is_na_and_kills_peer(self):
        t = time.monotonic()
        o = run.run_procs([sh("echo 'error in zmq_bind: Protocol not supported'; exit 255"),
                           sh("sleep 30")], 0, "thr", 10)
        self.assertFalse(o.ok)
        self.assertEqual(o.cell, "n/a (EPROTONOSUPPORT)")
        self.assertLess(time.monotonic() - t, 5)

    def test_peer_failure(self):
        o = run.run_procs([sh("sleep 30"), sh("kill -SEGV $$")], 0, "thr", 10)
        self.assertEqual(o.cell, "failed (SIGSEGV)")

    def test_hang_times_out(self):
        t = time.monotonic()
        o = run.run_procs([sh("sleep 30")], 0, "lat", 0.3)
        self.assertEqual(o.cell, "failed (timeout)")
        self.assertLess(time.monotonic() - t, 5)

    def test_no_result(self):
        o = run.run_procs([sh("echo hello")], 0, "lat", 5)
        self.assertEqual(o.cell, "failed (no result)")

    def test_cells_and_ratios(self):
        ok = lambda v: run.Outcome(True, v, v / 10)  # noqa: E731
        ours, ref = run.Cell([ok(300), ok(100), ok(200)]), run.Cell([ok(100), ok(100)])
        thr, lat = run.Config("inproc", "thr", 1), run.Config("inproc", "lat", 1)
        self.assertEqual(ours.median(), 200)
        self.assertEqual(run.ratio(thr, ours, ref), "2.00")   # ours/ref
        self.assertEqual(run.ratio(lat, ours, ref), "0.50")   # ref/ours
        partial = run.Cell([ok(5), run.Outcome(False, cell="failed (timeout)")])
        self.assertEqual(partial.text(partial.median(), ".1f"), "5.0 (1/2 ok)")
        na = run.Cell([run.Outcome(False, cell="n/a (EPROTONOSUPPORT)")])
        self.assertEqual(na.text(na.median(), ".1f"), "n/a (EPROTONOSUPPORT)")
        self.assertEqual(na.mbps_text(), "-")
        self.assertEqual(run.ratio(thr, na, ref), "-")


class Smoke(unittest.TestCase):
    def test_quick_inproc(self):
        t = time.monotonic()
        res = subprocess.run([sys.executable, str(HERE / "run.py"), "--quick",
                              "--only", "inproc", "--sizes", "64"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=1800)
        self.assertEqual(res.returncode, 0, res.stderr[-3000:])
        lines = res.stdout.splitlines()
        self.assertIn("# Ratio > 1 means OURS IS BETTER: throughput ours/ref,"
                      " latency ref/ours.", lines)
        for prog in ("inproc_thr", "proxy_thr", "inproc_lat"):
            row = [ln for ln in lines if ln.startswith("inproc") and f" {prog} " in ln]
            self.assertEqual(len(row), 1, res.stdout)
        print(f"\nsmoke: {time.monotonic() - t:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
