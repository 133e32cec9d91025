#!/usr/bin/env python3
"""Connect/disconnect churn against one bound ROUTER, printing the
process's RSS every tenth of the run: the pyzmq version of churn.c (the
bounded test that tests/load/run.py runs in CI). Runs pyzmq on whichever
libzmq LD_PRELOAD names:

    LD_PRELOAD=target/release/libzmq.so target/pyzmq-venv/bin/python tests/load/churn.py 100000
    LD_PRELOAD=target/reference/lib/libzmq.so target/pyzmq-venv/bin/python tests/load/churn.py 100000

(target/pyzmq-venv is made by tests/pyzmq/run.sh.)
"""

import sys
import time

import zmq


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    step = max(1, n // 10)
    ctx = zmq.Context()
    srv = ctx.socket(zmq.ROUTER)
    srv.bind("tcp://127.0.0.1:*")
    ep = srv.getsockopt(zmq.LAST_ENDPOINT).decode()
    t0 = time.time()
    marks = []
    for i in range(1, n + 1):
        c = ctx.socket(zmq.DEALER)
        c.setsockopt(zmq.LINGER, 0)
        c.connect(ep)
        c.send(b"x")
        srv.recv_multipart()
        c.close()
        if i % step == 0:
            marks.append((i, rss_kb()))
    print(f"cycles {n} in {time.time() - t0:.1f} s; RSS after each tenth:")
    print(" ".join(f"{i}:{kb}KB" for i, kb in marks))
    srv.close()
    ctx.term()


if __name__ == "__main__":
    main()
