#!/usr/bin/env python3
"""Fault tests (issue 11 part 6): each fault played against our libzmq and
against the reference libzmq 4.3.5, compared.

Each tests/faults/<name>.c is one fault (its header comment says what it
does and what must hold): the socket under test lives in the program's
process, the faulty peers are child processes (fork + exec of the same
binary, killed with SIGKILL, stopped with SIGSTOP, squatting the port,
writing one byte a second...), and the link fault runs in a network
namespace of its own (`unshare -rn`). The program is built twice, against
include/ + target/release (ours) and against target/reference (the
reference, built by tools/build-reference-libzmq.sh), and run with
LD_LIBRARY_PATH set to the library's directory. It prints what happened:

    phase <ms> <name>               a step of the fault begins
    event <ms> <label> <NAME> <v>   a monitor event of socket <label>
    fact <key> <value>              an outcome (messages delivered, ...)
    figure <key> <value>            a measurement, printed, not compared
    bad <text>                      what no library may do (a partial,
                                    corrupt or duplicated message)
    skip <why>                      the fault cannot be played here
    done                            the program finished

The runner compares per test:
- the facts, which must be equal, unless listed in KNOWN (a difference
  where libzmq is the one that is wrong, docs/reliability.md) with the
  value ours has;
- per phase and socket, the monitor events: the connection events
  (ACCEPTED, CONNECTED, HANDSHAKE_*, DISCONNECTED, ...) as the list of
  distinct events in order of first occurrence, which must be equal (how
  many reconnect cycles fit in a phase is timing); the retry events
  (CONNECT_DELAYED, CONNECT_RETRIED, CLOSED) only by whether the socket
  retried at all, since which of them a phase sees depends on where the
  retry timer falls.
It fails (exit 1) only when OURS misbehaves: a crash, a hang (the test's
deadline; the process group is killed), a `bad` line, or a fact or event
list differing from the reference's. When the reference itself crashes,
hangs or prints `bad`, that is reported and ours is judged on its own
(no crash, no hang, no `bad`). Exit 2 on a setup error (no compiler, no
reference build).

Prints per test what each library did, then
`faults: N tests, P passed, F failed` (`, K known differences` when
KNOWN ones were seen; `, S skipped` when a fault
cannot be played here, e.g. where user namespaces are not allowed).

Python 3.11, stdlib only.

Usage:
    python3 tests/faults/run.py                 # every fault, ~45 s
    python3 tests/faults/run.py --only slow_greeting -v
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
OUT = REPO / "target" / "faults"
LIBS = {
    "ours": (REPO / "include", REPO / "target" / "release"),
    "reference": (REPO / "target" / "reference" / "include",
                  REPO / "target" / "reference" / "lib"),
}

# name -> (deadline in s, runs in a network namespace)
TESTS: dict[str, tuple[float, bool]] = {
    "kill_mid_message": (60.0, False),
    "stop_heartbeat": (60.0, False),
    "slow_greeting": (60.0, False),
    "port_squatter": (60.0, False),
    "link_down": (60.0, True),
}

# (test, fact key) -> (our value, why): where libzmq is the one that is
# wrong (docs/reliability.md, "Faults"), ours must say exactly this.
_ROUTING_ID_KEPT = (
    "libzmq keeps a dropped connection's routing id until the application "
    "reads that pipe to its end, ignores the peer that reconnects with it "
    "meanwhile (duplicate id) and, having consumed its id message, never "
    "routes to it: a ROUTER loses a peer for good; ours frees the id with "
    "the connection")
KNOWN: dict[tuple[str, str], tuple[str, str]] = {
    ("stop_heartbeat", "d_send_after"): ("ok", _ROUTING_ID_KEPT),
    ("stop_heartbeat", "d_echo_after"): ("m2", _ROUTING_ID_KEPT),
    ("stop_heartbeat", "d_send_after_reading"): ("ok", _ROUTING_ID_KEPT),
    ("stop_heartbeat", "d_echo_after_reading"): ("m3", _ROUTING_ID_KEPT),
}

RETRY_EVENTS = {"CONNECT_DELAYED", "CONNECT_RETRIED", "CLOSED"}


@dataclasses.dataclass
class Run:
    lib: str
    rc: int | None = None          # None: killed at the deadline
    seconds: float = 0.0
    stdout: str = ""
    stderr: str = ""
    facts: dict[str, str] = dataclasses.field(default_factory=dict)
    figures: dict[str, str] = dataclasses.field(default_factory=dict)
    bad: list[str] = dataclasses.field(default_factory=list)
    skip: str | None = None
    done: bool = False
    # (phase, label) -> [event names in order]
    events: dict[tuple[str, str], list[str]] = dataclasses.field(
        default_factory=dict)
    phases: list[str] = dataclasses.field(default_factory=list)

    def misbehaved(self) -> str | None:
        if self.rc is None:
            return f"hang: killed after {self.seconds:.1f} s"
        if self.rc != 0:
            tail = self.stderr.strip().splitlines()[-3:]
            how = (f"killed by signal {-self.rc}" if self.rc < 0
                   else f"exit status {self.rc}")
            return f"crash: {how}" + (f" ({' / '.join(tail)})" if tail else "")
        if self.bad:
            return "bad: " + "; ".join(self.bad)
        if not self.done and not self.skip:
            return "the program ended early (no `done`)"
        return None


def parse(run: Run) -> None:
    phase = "start"
    for line in run.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word == "phase":
            phase = rest.split(" ", 1)[1]
            run.phases.append(phase)
        elif word == "event":
            parts = rest.split()
            if len(parts) >= 3:
                run.events.setdefault((phase, parts[1]), []).append(parts[2])
        elif word == "fact":
            key, _, value = rest.partition(" ")
            run.facts[key] = value
        elif word == "figure":
            key, _, value = rest.partition(" ")
            run.figures[key] = value
        elif word == "bad":
            run.bad.append(rest)
        elif word == "skip":
            run.skip = rest
        elif word == "done":
            run.done = True


def connection_events(events: list[str]) -> list[str]:
    """Distinct connection events in order of first occurrence."""
    seen: list[str] = []
    for e in events:
        if e not in RETRY_EVENTS and e != "MONITOR_STOPPED" and e not in seen:
            seen.append(e)
    return seen


def retried(events: list[str]) -> bool:
    return "CONNECT_RETRIED" in events


def build(name: str, lib: str) -> Path:
    include, libdir = LIBS[lib]
    exe = OUT / lib / name
    exe.parent.mkdir(parents=True, exist_ok=True)
    src = HERE / f"{name}.c"
    deps = [src, HERE / "fault.h", HERE.parent / "c" / "zmtp_raw.h", libdir / "libzmq.so"]
    if exe.exists() and all(exe.stat().st_mtime >= d.stat().st_mtime
                            for d in deps):
        return exe
    cc = os.environ.get("CC", "cc")
    cmd = [cc, "-std=gnu99", "-O2", "-Wall", "-Wextra", "-Werror",
           "-I", str(include), str(src), "-o", str(exe), "-L", str(libdir),
           f"-Wl,-rpath,{libdir}", "-lzmq", "-lpthread"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit(f"faults: building {name} against {lib} failed")
    return exe


def namespaces_work() -> str | None:
    """None when `unshare -rn` works here, else why not."""
    try:
        r = subprocess.run(["unshare", "-rn", "true"], capture_output=True,
                           text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unshare -rn: {e}"
    if r.returncode != 0:
        return f"unshare -rn: {r.stderr.strip() or r.returncode}"
    return None


def run(name: str, lib: str, exe: Path, deadline: float,
        netns: bool) -> Run:
    _, libdir = LIBS[lib]
    env = dict(os.environ, LD_LIBRARY_PATH=str(libdir))
    cmd = [str(exe)]
    if netns:
        cmd = ["unshare", "-rn"] + cmd
    result = Run(lib)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env, start_new_session=True)
    try:
        out, err = p.communicate(timeout=deadline)
        result.rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        result.rc = None
    # The children die with the program (PR_SET_PDEATHSIG); the group
    # kill catches any left.
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    result.seconds = time.monotonic() - t0
    result.stdout, result.stderr = out, err
    parse(result)
    return result


def compare(name: str, ours: Run, ref: Run,
            verbose: bool) -> tuple[str, list[str], int]:
    """Returns (status, lines, known): status is pass, fail or skip; known
    counts the KNOWN differences seen."""
    lines: list[str] = []
    known_seen = 0
    problems: list[str] = []
    if ours.skip or ref.skip:
        lines.append(f"  skipped: {ours.skip or ref.skip}")
        return "skip", lines, 0
    bad_ours = ours.misbehaved()
    bad_ref = ref.misbehaved()
    if bad_ours:
        problems.append(f"ours: {bad_ours}")
    if bad_ref:
        lines.append(f"  reference misbehaved ({bad_ref}): ours judged on "
                     "its own")
    # Events, per phase and socket.
    keys = sorted(set(ours.events) | set(ref.events),
                  key=lambda k: (_phase_index(ours, ref, k[0]), k[1]))
    for key in keys:
        o = ours.events.get(key, [])
        r = ref.events.get(key, [])
        oc, rc = connection_events(o), connection_events(r)
        ot = ", ".join(oc) or "-"
        rt = ", ".join(rc) or "-"
        retry = ""
        if retried(o) or retried(r):
            retry = (f" (+ retries: ours {sum(e in RETRY_EVENTS for e in o)}"
                     f" events, reference {sum(e in RETRY_EVENTS for e in r)})")
        where = f"{key[0]} {key[1]}"
        if oc == rc:
            lines.append(f"  events {where}: both {ot}{retry}")
        else:
            lines.append(f"  events {where}: ours {ot} | reference {rt}"
                         f"{retry}")
            if not bad_ref:
                problems.append(f"events differ in {where}")
        # (Not in the teardown phases, where the monitor may stop before
        # the retry.)
        if (retried(r) and not retried(o) and not bad_ref
                and not key[0].endswith("end")):
            problems.append(f"ours does not retry in {where}")
    # Facts.
    for key in sorted(set(ours.facts) | set(ref.facts),
                      key=lambda k: _fact_order(ours, ref, k)):
        o = ours.facts.get(key, "(missing)")
        r = ref.facts.get(key, "(missing)")
        if o == r:
            lines.append(f"  {key}: both {o}")
            continue
        lines.append(f"  {key}: ours {o} | reference {r}")
        known = KNOWN.get((name, key))
        if known and known[0] == o:
            said = any(known[1] in x for x in lines)
            lines.append("    known, libzmq is wrong" +
                         (" (as above)" if said else f": {known[1]}"))
            known_seen += 1
        elif not bad_ref:
            problems.append(f"{key} differs")
    for key in sorted(set(ours.figures) | set(ref.figures),
                      key=lambda k: _figure_order(ours, ref, k)):
        lines.append(f"  ({key}: ours {ours.figures.get(key, '-')} | "
                     f"reference {ref.figures.get(key, '-')})")
    if verbose:
        for r_ in (ours, ref):
            lines.append(f"  --- {r_.lib} stdout")
            lines.extend("    " + x for x in r_.stdout.splitlines())
            if r_.stderr.strip():
                lines.append(f"  --- {r_.lib} stderr")
                lines.extend("    " + x for x in r_.stderr.splitlines())
    for p in problems:
        lines.append(f"  FAIL: {p}")
    return ("fail" if problems else "pass"), lines, known_seen


def _phase_index(ours: Run, ref: Run, phase: str) -> int:
    for r in (ours, ref):
        if phase in r.phases:
            return r.phases.index(phase) + 1
    return 0


def _fact_order(ours: Run, ref: Run, key: str) -> int:
    for r in (ours, ref):
        if key in r.facts:
            return list(r.facts).index(key)
    return 0


def _figure_order(ours: Run, ref: Run, key: str) -> int:
    for r in (ours, ref):
        if key in r.figures:
            return list(r.figures).index(key)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", default=[],
                    help="run only this test (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print each program's output")
    args = ap.parse_args()

    for lib, (include, libdir) in LIBS.items():
        if not (libdir / "libzmq.so").exists():
            hint = ("cargo build --release" if lib == "ours"
                    else "tools/build-reference-libzmq.sh")
            print(f"faults: no {libdir / 'libzmq.so'} (run {hint})",
                  file=sys.stderr)
            return 2
    names = [n for n in TESTS if not args.only or n in args.only]
    unknown = set(args.only) - set(TESTS)
    if unknown:
        print(f"faults: unknown test(s) {', '.join(sorted(unknown))}; "
              f"known: {', '.join(TESTS)}", file=sys.stderr)
        return 2
    no_netns = namespaces_work() if any(TESTS[n][1] for n in names) else None

    t0 = time.monotonic()
    counts = {"pass": 0, "fail": 0, "skip": 0, "known": 0}
    for name in names:
        deadline, netns = TESTS[name]
        if netns and no_netns:
            print(f"[{name}] SKIPPED: {no_netns} (network namespaces not "
                  "available here)")
            counts["skip"] += 1
            continue
        exes = {lib: build(name, lib) for lib in LIBS}
        ours = run(name, "ours", exes["ours"], deadline, netns)
        ref = run(name, "reference", exes["reference"], deadline, netns)
        status, lines, known = compare(name, ours, ref, args.verbose)
        counts[status] += 1
        counts["known"] += known
        label = {"pass": "PASS", "fail": "FAIL", "skip": "SKIPPED"}[status]
        print(f"[{name}] {label} (ours {ours.seconds:.1f} s, reference "
              f"{ref.seconds:.1f} s)")
        for line in lines:
            print(line)
        sys.stdout.flush()
    total = counts["pass"] + counts["fail"] + counts["skip"]
    summary = (f"faults: {total} tests, {counts['pass']} passed, "
               f"{counts['fail']} failed")
    if counts["known"]:
        summary += f", {counts['known']} known differences"
    if counts["skip"]:
        summary += f", {counts['skip']} skipped"
    print(f"{summary} ({time.monotonic() - t0:.0f} s)")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
