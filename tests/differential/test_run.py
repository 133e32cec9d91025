#!/usr/bin/env python3
"""Unit tests of the differential driver's own logic (no library needed):
how streams are cut, how outcomes are normalised and compared, and how
the stream-shaped known differences are recognised. Python 3.11, stdlib.

    python3 tests/differential/test_run.py -q
"""

from __future__ import annotations

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
import run  # noqa: E402


def case(steps, socket="router", mode="open") -> run.Case:
    return run.Case(corpus.Stream("t", "s", tuple(steps), (socket,)), socket, mode)


class Cuts(unittest.TestCase):
    def test_every_prefix_keeps_the_step_boundaries_inside_it(self):
        got = corpus.cuts([b"ab", b"cd"])
        self.assertEqual([n for n, _ in got], [0, 1, 2, 3, 4])
        self.assertEqual(got[0][1], (b"",))
        self.assertEqual(got[1][1], (b"a",))
        self.assertEqual(got[3][1], (b"ab", b"c"))
        self.assertEqual(got[4][1], (b"ab", b"cd"))

    def test_the_corpus_is_the_same_every_time_and_ids_are_unique(self):
        a, b = corpus.build(), corpus.build()
        self.assertEqual([s.data for s in a], [s.data for s in b])
        ids = [s.id for s in a]
        self.assertEqual(len(ids), len(set(ids)))
        for s in a:
            for sock in s.sockets:
                self.assertIn(sock, run.SOCKETS, s.id)

    def test_issue11_input_is_the_reported_134_bytes(self):
        self.assertEqual(len(corpus.ISSUE11), 134)
        self.assertEqual(corpus.ISSUE11[9:12], b"\x03\x01N")


class Compare(unittest.TestCase):
    def test_generated_router_ids_are_masked(self):
        c = case([b""])
        self.assertEqual(run.normalize_message("00e43c9869.61", c), "<id>.61")
        self.assertEqual(run.normalize_message("7065657231.61", c), "7065657231.61")
        self.assertEqual(run.normalize_message("00e43c9869.61", case([b""], "dealer")),
                         "00e43c9869.61")

    def test_curve_frames_count_by_name_and_size(self):
        c = case([b""], "router-curve")
        reply = bytes(64) + corpus.command(b"WELCOME", bytes(160)) + b"\x04"
        self.assertEqual(run.normalize_reply(reply, c).split(" | ")[1:],
                         ["<04 WELCOME 168>", "<partial 1>"])
        # Cut short by a close, frame by frame.
        greeting_only = run.Outcome("eof", bytes(64) + b"\x04")
        self.assertTrue(run.same(c, run.Outcome("eof", reply), greeting_only))
        other = bytes(64) + corpus.command(b"ERROR", b"\x03400")
        self.assertFalse(run.same(c, run.Outcome("eof", reply), run.Outcome("eof", other)))

    def test_replies_may_differ_in_length_only_when_both_closed(self):
        c = case([b""])
        long = run.Outcome("eof", b"\xff\x01\x02")
        short = run.Outcome("eof", b"\xff\x01")
        self.assertTrue(run.same(c, long, short))
        self.assertFalse(run.same(c, long, run.Outcome("eof", b"\xff\x02")))
        self.assertFalse(run.same(c, run.Outcome("open", b"\xff\x01\x02"),
                                  run.Outcome("open", b"\xff\x01")))
        self.assertFalse(run.same(c, long, run.Outcome("open", b"\xff\x01\x02")))
        other_msgs = run.Outcome("eof", b"\xff\x01", ["61"])
        self.assertFalse(run.same(c, long, other_msgs))
        other_events = run.Outcome("eof", b"\xff\x01", [], ["SUCCEEDED:0"])
        self.assertFalse(run.same(c, long, other_events))


class KnownShapes(unittest.TestCase):
    def test_pipelined_is_a_message_in_the_write_that_holds_ready(self):
        g, r, m = corpus.greeting(), corpus.ready(b"DEALER"), corpus.message(b"x")
        self.assertEqual(run.frames_after_ready(g + r + m), 1)
        self.assertEqual(run.frames_after_ready(g + r), 0)
        self.assertEqual(run.frames_after_ready(g + r + m[:-1]), 0)
        self.assertEqual(run.frames_after_ready(corpus.greeting(b"PLAIN") + r + m), 0)
        self.assertTrue(run.PREDICATES["@pipelined"](case([g + r + m])))
        self.assertFalse(run.PREDICATES["@pipelined"](case([g + r, m])))

    def test_ready_then_eof_needs_mode_close_and_the_stream_ending_at_ready(self):
        g, r = corpus.greeting(), corpus.ready(b"DEALER")
        self.assertTrue(run.ends_with_ready(case([g + r], mode="close")))
        self.assertFalse(run.ends_with_ready(case([g + r], mode="open")))
        self.assertFalse(run.ends_with_ready(case([g + r + b"\x00"], mode="close")))
        self.assertFalse(run.ends_with_ready(case([g + r[:-1]], mode="close")))


if __name__ == "__main__":
    unittest.main()
