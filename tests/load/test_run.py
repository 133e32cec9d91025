#!/usr/bin/env python3
"""Unit tests of the load runner's own logic (no library needed): how a
program's RESULT line is parsed and how each test's bounds judge figures.
Python 3.11, stdlib.

    python3 tests/load/test_run.py -q
"""

from __future__ import annotations

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


class Parse(unittest.TestCase):
    def test_numbers_and_strings(self):
        f = run.parse_result("noise\nRESULT conns=10 ms=1.5 marks=1,2 x\n")
        self.assertEqual(f, {"conns": 10, "ms": 1.5, "marks": "1,2"})
        self.assertIsInstance(f["conns"], int)

    def test_last_result_line_wins_and_none_without_one(self):
        self.assertEqual(run.parse_result("RESULT a=1\nRESULT a=2\n"), {"a": 2})
        self.assertIsNone(run.parse_result("RESULTS a=1\n a=2\n"))
        self.assertIsNone(run.parse_result(""))


class Bounds(unittest.TestCase):
    def test_connections(self):
        good = {"conns": 100, "lost": 0, "bytes_per_conn": 23000,
                "rt_alone_us": 150.0, "rt_busy_us": 160.0}
        self.assertEqual(run.check_connections(good, 100), [])
        self.assertEqual(len(run.check_connections(dict(good, lost=1), 100)), 1)
        self.assertEqual(len(run.check_connections(dict(good, conns=90), 100)), 1)
        self.assertEqual(len(run.check_connections(
            dict(good, bytes_per_conn=run.MAX_BYTES_PER_CONN + 1), 100)), 1)
        self.assertEqual(run.check_connections(dict(good, rt_busy_us=850.0), 100), [])
        self.assertEqual(len(run.check_connections(dict(good, rt_busy_us=1892.0), 100)), 1)
        self.assertEqual(len(run.check_connections({"conns": 100, "lost": 0}, 100)), 2)
        # A hard RLIMIT_NOFILE of 4,096: 4,032 connections is all there can be.
        self.assertEqual(run.check_connections(
            dict(good, conns=4032, nofile=4096), 10_000), [])
        self.assertEqual(len(run.check_connections(
            dict(good, conns=4000, nofile=4096), 10_000)), 1)

    def test_churn_bound_is_inclusive_and_missing_figures_fail(self):
        self.assertEqual(run.check_churn({"growth_kb": 1024}), [])
        self.assertEqual(len(run.check_churn({"growth_kb": 1025})), 1)
        self.assertEqual(len(run.check_churn({})), 1)

    def test_pubsub(self):
        good = {"fast_lost": 0, "disorder": 0, "slow_got": 190, "slow_backwards": 0,
                "slow_gaps": 1, "max_send_ms": 9.0,
                "flood_max_send_ms": 12.0, "flood_growth_kb": 6500}
        self.assertEqual(run.check_pubsub(good), [])
        for key, value in (("fast_lost", 3), ("disorder", 1), ("slow_backwards", 1),
                           ("slow_got", 99),
                           ("slow_got", 2 * run.HWM + run.SLOW_SLACK + 1),
                           ("max_send_ms", 501.0), ("flood_growth_kb", 200_000)):
            with self.subTest(key=key, value=value):
                self.assertEqual(len(run.check_pubsub(dict(good, **{key: value}))), 1)
        self.assertGreater(len(run.check_pubsub({})), 3)

    def test_upstream(self):
        good = {"loops": 100, "test_shutdown_stress_passed": 100,
                "test_many_sockets_passed": 100}
        self.assertEqual(run.check_upstream(good), [])
        hung = dict(good, test_many_sockets_passed=99, test_many_sockets_hung=1)
        self.assertIn("1 hung", run.check_upstream(hung)[0])

    def test_term(self):
        good = {f"l{linger}_{peer}_ms": linger + 1.0
                for linger in (0, run.TERM_LINGER_MS)
                for peer in run.TERM_PEERS}
        self.assertEqual(run.check_term(good), [])
        self.assertEqual(run.check_term(dict(good, l0_nobody_ms=100.0)), [])
        self.assertEqual(len(run.check_term(dict(good, l0_nobody_ms=100.1))), 1)
        self.assertEqual(len(run.check_term(dict(good, l300_stalled_ms=401.0))), 1)
        self.assertEqual(len(run.check_term({})), 8)


class Describe(unittest.TestCase):
    def test_every_test_has_a_figure_line(self):
        f = run.parse_result(
            "RESULT conns=10000 lost=0 ms=612 rss_base_kb=3572 rss_peak_kb=228016"
            " bytes_per_conn=22983 rt_alone_us=150.2 rt_busy_us=160.9")
        self.assertIn("22,983 B/conn", run.describe("connections", f))


if __name__ == "__main__":
    unittest.main()
