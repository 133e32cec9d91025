#!/usr/bin/env python3
"""Compare a run of pyzmq's own test suite with tests/pyzmq/expected.txt.

    suite.py compare OUTCOMES.json [--must-pass OURS.json] [--expected FILE]
             [--label NAME] [--report-only]
    suite.py deselect [--expected FILE]     # the --deselect arguments, one a line
    suite.py list OUTCOMES.json             # OUTCOMES as expected.txt lines

OUTCOMES.json is what the zmqlib_check plugin wrote (PYZMQ_OUTCOMES). Every
line of expected.txt is `KIND NODE-ID` with, except for `pass`, a reason
after `  # `:

    pass      must pass; anything else is a REGRESSION (exit 1)
    skip      skips (or fails) for a reason outside our library, on pyzmq's
              bundled libzmq too; a pass is reported as NEW PASS
    missing   skips because our library lacks a feature (named in the
              reason); a pass is reported as NEW PASS
    fail      fails because of a bug of ours (named in the reason); a pass
              is reported as NEW PASS
    deselect  not run at all (handed to pytest as --deselect)

A test with no line is reported (NEW TEST); a `skip`/`missing` test that
fails is a REGRESSION too. The last line is the summary
`pyzmq: N passed, M expected failures/skips, K regressions`.
--must-pass OURS.json adds our own tests (test_auth.py, test_usage.py):
each must pass, and counts in N. With --report-only (pyzmq's bundled
libzmq) the suite's differences are listed without failing the run.
Python 3.11, stdlib only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = ("pass", "skip", "missing", "fail", "deselect")


def load_expected(path: Path) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        body, _, reason = line.partition("  # ")
        kind, _, node = body.strip().partition(" ")
        node = node.strip()
        if kind not in KINDS or not node:
            sys.exit(f"{path}:{n}: want `KIND NODE-ID[  # reason]`, KIND one of {KINDS}")
        if kind != "pass" and not reason.strip():
            sys.exit(f"{path}:{n}: a `{kind}` line needs a reason after `  # `")
        if node in out:
            sys.exit(f"{path}:{n}: {node} listed twice")
        out[node] = (kind, reason.strip())
    return out


def compare(args) -> int:
    expected = load_expected(args.expected)
    outcomes: dict[str, dict] = json.loads(Path(args.outcomes).read_text())
    passed = expected_other = 0
    regressions: list[str] = []
    notes: list[str] = []
    for node, rec in sorted(outcomes.items()):
        got = rec["outcome"]
        why = f" ({rec['reason']})" if rec.get("reason") else ""
        kind, reason = expected.get(node, (None, ""))
        if rec.get("reruns") and got == "passed":
            notes.append(f"RERUN {node}: passed after {rec['reruns']} rerun(s) (pyzmq marks it flaky)")
        if got == "passed":
            passed += 1
            if kind is None:
                notes.append(f"NEW TEST (add `pass`) {node}")
            elif kind != "pass":
                notes.append(f"NEW PASS (listed `{kind}`: {reason}; make it `pass`) {node}")
            continue
        if kind == "pass":
            regressions.append(f"REGRESSION {node}: {got}{why}")
        elif kind in ("skip", "missing") and got == "failed":
            regressions.append(f"REGRESSION {node}: failed, listed `{kind}` ({reason}){why}")
        elif kind is None:
            notes.append(f"NEW TEST {node}: {got}{why}")
        else:
            expected_other += 1
            if kind == "deselect":
                notes.append(f"RAN {node} although listed `deselect`: {got}{why}")
    for node, (kind, _) in sorted(expected.items()):
        if kind == "pass" and node not in outcomes:
            regressions.append(f"REGRESSION {node}: not run (not collected?)")
    # Our own tests (test_auth.py, test_usage.py): every one must pass.
    ours_failed: list[str] = []
    if args.must_pass:
        ours: dict[str, dict] = json.loads(Path(args.must_pass).read_text())
        for node, rec in sorted(ours.items()):
            if rec["outcome"] == "passed":
                passed += 1
            else:
                ours_failed.append(f"FAILED {node}: {rec['outcome']} ({rec.get('reason', '')})")
        if not ours:
            ours_failed.append(f"FAILED {args.must_pass}: no test ran")
    deselected = sum(1 for k, _ in expected.values() if k == "deselect")
    for line in notes + regressions + ours_failed:
        print(line)
    label = f" [{args.label}]" if args.label else ""
    bad = (0 if args.report_only else len(regressions)) + len(ours_failed)
    print(f"pyzmq{label}: {passed} passed, {expected_other + deselected} expected "
          f"failures/skips ({deselected} deselected), {len(regressions)} regressions"
          + (f", {len(ours_failed)} of our tests failed" if ours_failed else ""))
    return 1 if bad else 0


def deselect(args) -> int:
    for node, (kind, _) in load_expected(args.expected).items():
        if kind == "deselect":
            print(node)
    return 0


def list_outcomes(args) -> int:
    outcomes = json.loads(Path(args.outcomes).read_text())
    kind = {"passed": "pass", "skipped": "skip", "failed": "fail"}
    for node, rec in sorted(outcomes.items()):
        k = kind[rec["outcome"]]
        print(f"{k} {node}" + (f"  # {rec['reason']}" if k != "pass" else ""))
    return 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("outcomes")
    c.add_argument("--label", default="")
    c.add_argument("--report-only", action="store_true")
    c.add_argument("--must-pass", help="outcomes of tests that must all pass (ours)")
    d = sub.add_parser("deselect")
    lo = sub.add_parser("list")
    lo.add_argument("outcomes")
    for q in (c, d):
        q.add_argument("--expected", type=Path, default=HERE / "expected.txt")
    args = p.parse_args(argv)
    return {"compare": compare, "deselect": deselect, "list": list_outcomes}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
