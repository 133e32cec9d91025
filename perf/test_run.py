#!/usr/bin/env python3
"""Tests of the perf harness (perf/run.py). Python 3.11, stdlib only.

    python3 perf/test_run.py            # everything, a few seconds once built
    python3 perf/test_run.py Unit       # parsing and process handling only:
                                        # no compiler, no library, < 2 s

`Smoke` builds and runs the raw floor (perf/raw.c) and runs
`perf/run.py --quick --only inproc --sizes 64` for real: the
first time it builds the reference libzmq (minutes) and the perf programs;
afterwards it takes a few seconds. Set ZMQ_BUILD_LOCK=/tmp/zmq-build.lock on
the shared machine so those builds take the lock.
"""

from __future__ import annotations

import contextlib
import io
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
        with self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
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

    def test_new_benches_and_raw(self):
        a = run.parse_args(["--only", "inproc,tcp,ipc,curve", "--sizes", "64"])
        cfgs = run.configs(a)
        for t in ("tcp", "ipc"):
            self.assertIn(run.Config(t, "fanout", 64), cfgs)
            self.assertIn(run.Config(t, "fanin", 64), cfgs)
        for t in ("inproc", "curve"):
            self.assertNotIn(run.Config(t, "fanout", 64), cfgs)
        self.assertIn(run.Config("inproc", "proxy", 64), cfgs)      # in the default run
        self.assertTrue(run.Config("tcp", "lat", 1).has_raw)
        self.assertTrue(run.Config("ipc", "thr", 1).has_raw)
        for cfg in (run.Config("inproc", "thr", 1), run.Config("curve", "lat", 1),
                    run.Config("tcp", "fanout", 1)):
            self.assertFalse(cfg.has_raw, cfg)
        fan = run.Config("tcp", "fanout", 64)
        self.assertEqual(fan.kind, "thr")
        self.assertEqual(fan.programs, ("fanout_thr",))
        self.assertEqual(fan.fan_label(100), "fanout_thr (PUB to 100 SUB)")
        self.assertEqual(run.Config("ipc", "fanin", 1).fan_label(7), "fanin_thr (7 PUSH to PULL)")
        self.assertEqual(run.Config("inproc", "proxy", 1024).name, "inproc proxy 1 KiB")
        self.assertEqual(run.Config("tcp", "lat", 64).name, "tcp 64 B")
        # Fan counts are per socket: the deliveries stay about the same.
        self.assertEqual(run.message_count(fan, False, 100) * 100,
                         run.message_count(fan, False, 10) * 10)
        self.assertLess(run.message_count(fan, True), run.message_count(fan, False))
        self.assertEqual(run.parse_args(["--fan", "10"]).fan, 10)
        self.assertTrue(run.parse_args(["--no-raw"]).no_raw)

    def test_instruction_args(self):
        a = run.parse_args(["--instructions"])
        self.assertEqual((a.only, a.sizes, a.instr_counts), (["tcp"], [64], (120000, 20000)))
        a = run.parse_args(["--instructions", "--only", "inproc,ipc,curve", "--sizes", "1,64",
                            "--instr-counts", "50000,10000"])
        self.assertEqual((a.only, a.sizes, a.instr_counts), (["ipc", "curve"], [1, 64],
                                                              (50000, 10000)))
        with self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
            run.parse_args(["--instructions", "--only", "inproc"])
        for bad in ("10,20", "5", "a,b", "0,0"):
            with self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
                run.parse_args(["--instr-counts", bad])

    def test_callgrind_parsing(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            f = Path(d) / "cg.out"
            f.write_text("# callgrind format\nversion: 1\nevents: Ir\nsummary: 170922419\n"
                         "fn=main\n1 2\ntotals: 170922419\n")
            self.assertEqual(run.callgrind_total(f), 170922419)
            f.write_text("events: Ir\ntotals: 12345\n")
            self.assertEqual(run.callgrind_total(f), 12345)
            f.write_text("nothing here\n")
            self.assertIsNone(run.callgrind_total(f))
            self.assertIsNone(run.callgrind_total(Path(d) / "missing"))
            ipc = Path(d) / "x.ipc"
            self.assertFalse(run.listening(f"ipc://{ipc}"))
            ipc.touch()
            self.assertTrue(run.listening(f"ipc://{ipc}"))
        # (big - small) / (difference of the counts), receive then send.
        self.assertEqual(run.per_message((170922419, 167125345), (28964660, 28239609),
                                         (120000, 20000)), (1419.57759, 1388.85736))

    def test_tcp_listening(self):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            self.assertFalse(run.listening(f"tcp://127.0.0.1:{port}"))
            s.listen(1)
            self.assertTrue(run.listening(f"tcp://127.0.0.1:{port}"))

    def test_geomean_and_summary(self):
        self.assertAlmostEqual(run.geomean([1.0, 4.0]), 2.0)
        self.assertAlmostEqual(run.geomean([2.0, 2.0, 2.0]), 2.0)
        res, _ = sample_run_results()
        lines = run.summary(res)
        self.assertEqual(lines[0], "throughput ours/ref (inproc, tcp, ipc; 1 B-64 KiB): geomean"
                         " 1.41 over 2 case(s), lowest 1.00 (ipc 64 B)  [goal: geomean >= 1.5,"
                         " lowest >= 1.1]")
        self.assertEqual(lines[1], "latency ref/ours (inproc, tcp, ipc; 1 B-64 KiB): geomean 1.41"
                         " over 2 case(s), lowest 1.00 (tcp 1 B)  [goal: lowest >= 1.3]")
        # tcp 1 B: 20 us over a 10 us floor; tcp 64 KiB is not a goal size.
        self.assertEqual(lines[2], "latency ours/raw (tcp, ipc; 1 B, 64 B): highest 2.00 (tcp 1 B)"
                         " over 1 case(s); ref/raw highest 2.00  [goal: ours/raw <= 1.25]")
        self.assertEqual(lines[3], "fan-out/fan-in ours/ref: geomean 0.50 over 1 case(s), lowest"
                         " 0.50 (tcp fanout 64 B)  [goal: lowest >= 1]")
        self.assertEqual(lines[4], "curve throughput ours/ref: geomean 3.00 over 1 case(s),"
                         " lowest 3.00 (curve 1 KiB)  [goal: lowest >= 1]")
        self.assertEqual(len(lines), 5)
        self.assertEqual(run.summary({}), [])

    def test_report_json_and_chart(self):
        import tempfile
        import xml.etree.ElementTree as ET
        res, counts = sample_run_results()
        r = run.Run(res, counts, 5, 100, "python3 perf/run.py --chart x.svg", 12.0,
                    {"nproc": "2", "cpu": "Test CPU", "kernel": "Linux 6", "compiler": "g++ 12",
                     "commit": "abc1234", "date": "2026-12-03 12:00 UTC"})
        text = run.report(r, False)
        self.assertIn("raw msg/s", text)
        self.assertIn("ours/raw", text)
        row = [ln for ln in text.splitlines() if ln.startswith("tcp") and "fanout_thr" in ln][0]
        self.assertIn("2,000,000", row)                     # deliveries: 20,000 x 100
        self.assertIn("fanout_thr (PUB to 100 SUB)", row)
        lat = [ln for ln in text.splitlines() if ln.startswith("tcp") and " 1 B " in ln
               and "lat" in ln][0]
        self.assertTrue(lat.endswith("1.00      2.00"), lat)
        md = run.report(r, True)
        self.assertIn("| transport | program | size | round trips | ours us | ref us | raw us |"
                      " ref/ours | ours/raw |", md)
        self.assertIn("### Summary", md)
        with tempfile.TemporaryDirectory() as d:
            f = Path(d) / "r.json"
            run.dump_json(f, r)
            back = run.load_json(f)
            self.assertEqual(run.report(back, True), md)
            # The older --json format: a bare list of runs.
            f.write_text('[{"transport": "tcp", "bench": "thr", "size": 64, "count": 10,'
                         ' "library": "ours", "round": 2, "ok": true, "value": 5.0,'
                         ' "mbps": 1.0, "cell": "", "seconds": 1.0}]')
            old = run.load_json(f)
            self.assertEqual((old.rounds, old.fan), (2, run.DEFAULT_FAN))
            self.assertEqual(old.results[run.Config("tcp", "thr", 64)]["ours"].median(), 5.0)
            self.assertIn("| tcp | local_thr+remote_thr | 64 B | 10 | 5 | - | - |",
                          run.report(old, True))
        r.note = "busy <machine>"
        self.assertIn("- note: busy <machine>", run.report(r, True))
        svg = run.chart_svg(r)
        self.assertIn("busy &lt;machine&gt;", svg)
        root = ET.fromstring(svg)                           # well-formed
        self.assertTrue(root.tag.endswith("svg"))
        self.assertIn("Throughput", svg)
        self.assertIn("Latency", svg)
        for name in run.CHART_NAMES.values():
            self.assertIn(name, svg)                        # the legend
        ns = "{http://www.w3.org/2000/svg}"
        fills = [e.get("fill") for e in root.iter(ns + "rect")]
        self.assertEqual(fills.count(run.CHART_COLORS[run.RAW]), 1 + 3 + 2)  # legend + bars
        self.assertIn("ours/raw 2.00", svg)
        self.assertIn("failed (timeout)", svg)              # a failed cell is said, not drawn
        self.assertEqual(run.log_ticks(150, 2e7), [100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8])
        self.assertEqual(run.log_ticks(5, 5), [1, 10])
        self.assertEqual([run.si(x) for x in (999, 1000, 45_600, 1_234_567, 2e10)],
                         ["999", "1k", "45.6k", "1.23M", "20G"])


def sample_run_results():
    ok = lambda v: run.Outcome(True, v, v / 10)  # noqa: E731
    C = run.Config
    res = {
        C("inproc", "thr", 64): {"ours": run.Cell([ok(200)]), "ref": run.Cell([ok(100)])},
        C("ipc", "thr", 64): {"ours": run.Cell([ok(100)]), "ref": run.Cell([ok(100)]),
                              "raw": run.Cell([ok(900)])},
        C("tcp", "thr", 1 << 20): {"ours": run.Cell([ok(5)]), "ref": run.Cell([ok(1)]),
                                   "raw": run.Cell([ok(50)])},          # > 64 KiB: not core
        C("tcp", "lat", 1): {"ours": run.Cell([ok(20)]), "ref": run.Cell([ok(20)]),
                             "raw": run.Cell([ok(10)])},
        C("tcp", "lat", 65536): {"ours": run.Cell([ok(30)]), "ref": run.Cell([ok(60)]),
                                 "raw": run.Cell([ok(10)])},
        C("tcp", "fanout", 64): {"ours": run.Cell([ok(1)]), "ref": run.Cell([ok(2)])},
        C("curve", "thr", 1024): {"ours": run.Cell([ok(3)]),
                                  "ref": run.Cell([run.Outcome(False, cell="failed (timeout)"),
                                                   ok(1)])},
        C("ipc", "lat", 64): {"ours": run.Cell([run.Outcome(False, cell="failed (timeout)")]),
                              "ref": run.Cell([ok(5)]), "raw": run.Cell([ok(2)])},
    }
    counts = {cfg: 20_000 for cfg in res}
    return res, counts


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

    def test_raw_floor(self):
        """perf/raw.c builds and does both jobs over tcp and ipc."""
        binary, err = run.build_raw(None)
        self.assertIsNone(err)
        eps = run.Endpoints()
        try:
            for transport in ("tcp", "ipc"):
                for size in (1, 300, 100_000):          # short, long and multi-batch frames
                    for bench, n in (("thr", 20_000 if size < 1000 else 500), ("lat", 200)):
                        cfg = run.Config(transport, bench, size)
                        o = run.run_raw(binary, cfg, n, eps, 30)
                        self.assertTrue(o.ok, (cfg, o.output))
                        self.assertGreater(o.value, 0)
        finally:
            eps.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
