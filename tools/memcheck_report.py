#!/usr/bin/env python3
"""Reads the valgrind memcheck logs tools/memcheck.sh left (one per
process, `*.vg.<pid>` / `vg.<pid>.log`) and prints one line per group and
a total; exits 1 if any process had an error (invalid read or write, use
of undefined values, bad free, ...) or lost memory for good.

A definite leak does not count in a forked child (test_fork): it exits
holding its parent's context, which libzmq (and we) refuse to terminate
there, so everything inherited is unreachable by design; its other errors
count. Suppressed errors (tools/memcheck.supp) are shown, not counted.

    tools/memcheck_report.py GROUP=DIR [GROUP=DIR ...]
"""
import re
import sys
from pathlib import Path

PID = re.compile(r"^==(\d+)==", re.M)
PARENT = re.compile(r"Parent PID: (\d+)")
ERRORS = re.compile(r"ERROR SUMMARY: ([\d,]+) errors from [\d,]+ contexts \(suppressed: ([\d,]+)")
DEFINITE = re.compile(r"definitely lost: ([\d,]+) bytes")


def number(text: str) -> int:
    return int(text.replace(",", ""))


def read_logs(directory: Path) -> list[dict]:
    logs = []
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or not re.search(r"(^vg\.\d+\.log$|\.vg\.\d+$)", path.name):
            continue
        text = path.read_text(errors="replace")
        pid = PID.search(text)
        parent = PARENT.search(text)
        errors = ERRORS.findall(text)
        definite = DEFINITE.findall(text)
        logs.append({
            "path": path,
            "pid": pid.group(1) if pid else "",
            "parent": parent.group(1) if parent else "",
            # A process killed before its summary (a timeout) has none.
            "finished": bool(errors),
            "errors": number(errors[-1][0]) if errors else 0,
            "suppressed": number(errors[-1][1]) if errors else 0,
            "definite": number(definite[-1]) if definite else 0,
        })
    # A forked child's log sits beside its parent's, in the same folder.
    pids = {(log["path"].parent, log["pid"]) for log in logs}
    for log in logs:
        log["child"] = (log["path"].parent, log["parent"]) in pids
    return logs


def main(argv: list[str]) -> int:
    bad = []
    totals = {"processes": 0, "errors": 0, "definite": 0, "suppressed": 0, "unfinished": 0}
    for arg in argv:
        group, _, directory = arg.partition("=")
        logs = read_logs(Path(directory))
        errors = sum(log["errors"] for log in logs)
        definite = sum(log["definite"] for log in logs if not log["child"])
        suppressed = sum(log["suppressed"] for log in logs)
        unfinished = sum(not log["finished"] for log in logs)
        print(f"memcheck {group}: {len(logs)} processes, {errors} errors, "
              f"{definite} bytes definitely lost, {suppressed} suppressed"
              + (f", {unfinished} killed before their summary" if unfinished else ""))
        for log in logs:
            if log["errors"] or (log["definite"] and not log["child"]):
                bad.append(log["path"])
        for key, value in (("processes", len(logs)), ("errors", errors),
                           ("definite", definite), ("suppressed", suppressed),
                           ("unfinished", unfinished)):
            totals[key] += value
    for path in bad:
        print(f"  see {path}")
    print(f"memcheck: {totals['processes']} processes, {totals['errors']} errors, "
          f"{totals['definite']} bytes definitely lost, {totals['suppressed']} suppressed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
