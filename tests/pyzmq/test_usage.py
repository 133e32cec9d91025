"""What pyzmq users do most and pyzmq's own suite touches least, on the
libzmq given in ZMQ_TEST_LIB (run through tests/pyzmq/run.sh, which checks
at the start of the session that it is the library serving).

- zero-copy sends (copy=False, 64 KiB and more) whose free callback runs
  in the io thread and sends on pyzmq's gc socket: trackers finish, the
  buffers are released, nothing deadlocks with many at once;
- zmq.asyncio with thousands of messages (PUSH/PULL, REQ/REP, tcp and ipc);
- tornado's ZMQStream with thousands of messages;
- zmq.utils.monitor: the events of a connection and of a refused handshake
  with their values (file descriptors checked against the real sockets);
- many sockets in many threads (PAIR over inproc and tcp);
- Context.term() with lingering messages, and with a socket blocked in
  another thread.

Every expectation holds on pyzmq's bundled libzmq 4.3.5 too
(`tests/pyzmq/run.sh --bundled` runs this file on it).
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import os
import socket as pysocket
import stat
import threading
import time
import weakref

import pytest
import zmq
import zmq.asyncio
from zmq.utils.monitor import recv_monitor_message

WAIT_S = 10.0       # anything that should happen does so well within this


class Buffer(bytearray):
    """A bytearray that can be weakly referenced: shows when pyzmq (its gc
    thread's table of zero-copy buffers) lets go of it."""


def payload(i: int, size: int) -> Buffer:
    seed = hashlib.sha256(b"%d" % i).digest()
    return Buffer((seed * (size // len(seed) + 1))[:size])


@pytest.fixture
def ctx():
    c = zmq.Context()
    yield c
    c.destroy(linger=0)


def endpoint(transport: str, tmp_path, name: str = "ep") -> str:
    """A bindable endpoint; tcp ones are bound with a random port by bind()."""
    if transport == "tcp":
        return "tcp://127.0.0.1"
    if transport == "ipc":
        return f"ipc://{tmp_path}/{name}.ipc"
    return f"inproc://{name}-{id(tmp_path)}"


def bind(sock: zmq.Socket, base: str) -> str:
    if base == "tcp://127.0.0.1":
        return f"{base}:{sock.bind_to_random_port(base)}"
    sock.bind(base)
    return base


def connected_pair(ctx, kind_bind, kind_connect, transport, tmp_path, name="ep", **opts):
    a = ctx.socket(kind_bind)
    b = ctx.socket(kind_connect)
    for s in (a, b):
        s.linger = 0
        for k, v in opts.items():
            setattr(s, k, v)
    ep = bind(a, endpoint(transport, tmp_path, name))
    b.connect(ep)
    return a, b


def wait_until(cond, what: str, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        gc.collect()
        time.sleep(0.01)


def gc_table_size() -> int:
    from zmq.utils.garbage import gc as zmq_gc
    return len(zmq_gc.refs)


# ---- zero-copy sends -----------------------------------------------------------

@pytest.mark.parametrize("transport", ["tcp", "ipc", "inproc"])
@pytest.mark.parametrize("size", [64 * 1024, 1024 * 1024, 16 * 1024 * 1024])
def test_zero_copy_send_is_released(ctx, transport, size, tmp_path):
    """copy=False, track=True: the data arrives intact, every tracker is done
    once the library freed the message (its free callback sends the buffer's
    id on pyzmq's gc socket, and the gc thread drops the buffer), and the
    buffers themselves are freed."""
    pull, push = connected_pair(ctx, zmq.PULL, zmq.PUSH, transport, tmp_path)
    n = 4 if size >= 16 * 1024 * 1024 else 32
    refs, trackers, digests = [], [], []
    for i in range(n):
        buf = payload(i, size)
        digests.append(hashlib.sha256(buf).digest())
        refs.append(weakref.ref(buf))
        tracker = push.send(buf, copy=False, track=True)
        assert isinstance(tracker, zmq.MessageTracker)
        trackers.append(tracker)
        del buf
    frames = []
    for i in range(n):
        assert pull.poll(int(WAIT_S * 1000)), f"message {i} did not arrive"
        frame = pull.recv(copy=False)
        assert len(frame) == size
        assert hashlib.sha256(frame.buffer).digest() == digests[i]
        frames.append(frame)
    if transport == "inproc":
        # inproc hands the very message over: the receiver's frames still
        # hold the sender's buffers, so nothing is released yet.
        time.sleep(0.1)
        assert not any(t.done for t in trackers)
        assert all(r() is not None for r in refs)
    del frame
    frames.clear()
    for t in trackers:
        t.wait(WAIT_S)
        assert t.done
    wait_until(lambda: all(r() is None for r in refs), "the buffers to be freed")


def test_zero_copy_frame_tracker(ctx, tmp_path):
    """The zmq.Frame API: Frame(track=True), Socket.send(frame, copy=False);
    frame.tracker.done turns True after the tcp peer got it."""
    pull, push = connected_pair(ctx, zmq.PULL, zmq.PUSH, "tcp", tmp_path)
    buf = payload(7, 256 * 1024)
    ref = weakref.ref(buf)
    frame = zmq.Frame(buf, track=True, copy=False)
    assert not frame.tracker.done
    tracker = push.send(frame, copy=False, track=True)
    assert tracker is frame.tracker
    assert pull.poll(int(WAIT_S * 1000))
    assert pull.recv() == bytes(buf)
    del frame, buf
    tracker.wait(WAIT_S)
    assert tracker.done
    wait_until(lambda: ref() is None, "the buffer to be freed")


def test_zero_copy_unsent_then_dropped(ctx, tmp_path):
    """A zero-copy message that never leaves (no peer, linger 0) is freed
    when its socket closes: the tracker finishes and the buffer goes."""
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.connect(f"ipc://{tmp_path}/nobody.ipc")
    buf = payload(1, 128 * 1024)
    ref = weakref.ref(buf)
    tracker = push.send(buf, copy=False, track=True)
    del buf
    time.sleep(0.05)
    assert not tracker.done
    push.close()
    tracker.wait(WAIT_S)
    assert tracker.done
    wait_until(lambda: ref() is None, "the buffer to be freed")


def test_zero_copy_many_threads_with_traffic(tmp_path):
    """Free callbacks from two io threads (tcp, ipc) and from application
    threads (inproc: the receiver's frame is the sender's message) at once:
    6 threads send 2400 zero-copy messages, more than the HWM of pyzmq's gc
    socket pair lets queue when its thread lags, while two more threads
    send ordinary messages on other sockets: no deadlock, every tracker
    done, every buffer freed, the gc table empty again."""
    ctx = zmq.Context(io_threads=2)
    per_thread, size = 400, 64 * 1024
    errors: list[BaseException] = []
    refs: list[weakref.ref] = []
    trackers: list[zmq.MessageTracker] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def zero_copy(transport: str, k: int) -> None:
        try:
            pull, push = connected_pair(ctx, zmq.PULL, zmq.PUSH, transport, tmp_path, f"zc{k}")
            mine_refs, mine_trackers = [], []
            start.wait()
            for i in range(per_thread):
                buf = payload(i, size)
                mine_refs.append(weakref.ref(buf))
                mine_trackers.append(push.send(buf, copy=False, track=True))
                del buf
                if i % 50 == 49:            # keep the receiver draining
                    for _ in range(50):
                        assert pull.poll(int(WAIT_S * 1000))
                        pull.recv(copy=False)
            with lock:
                refs.extend(mine_refs)
                trackers.extend(mine_trackers)
            for t in mine_trackers:
                t.wait(WAIT_S)
            pull.close()
            push.close()
        except BaseException as e:      # noqa: BLE001 - reported below
            errors.append(e)

    def chatter(k: int) -> None:
        try:
            a, b = connected_pair(ctx, zmq.PAIR, zmq.PAIR, "tcp", tmp_path, f"ch{k}")
            start.wait()
            for i in range(2000):
                a.send(b"%d" % i)
                assert b.recv() == b"%d" % i
            a.close()
            b.close()
        except BaseException as e:      # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=zero_copy, args=(t, k))
               for k, t in enumerate(["tcp", "tcp", "ipc", "ipc", "inproc", "inproc"])]
    threads += [threading.Thread(target=chatter, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    assert not errors, errors
    assert len(trackers) == 6 * per_thread
    assert all(t.done for t in trackers)
    wait_until(lambda: all(r() is None for r in refs), "the buffers to be freed")
    wait_until(lambda: gc_table_size() == 0, "pyzmq's gc table to empty")
    ctx.term()


# ---- zmq.asyncio ---------------------------------------------------------------

ASYNC_N = 5000


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_asyncio_push_pull_thousands(transport, tmp_path):
    """5000 two-part messages through a PUSH with a small HWM, so the sender
    really waits for POLLOUT (pyzmq's edge-triggered ZMQ_FD handling)."""
    async def main():
        ctx = zmq.asyncio.Context()
        try:
            pull, push = connected_pair(ctx, zmq.PULL, zmq.PUSH, transport, tmp_path)
            push.sndhwm = 50
            pull.rcvhwm = 50

            async def send():
                for i in range(ASYNC_N):
                    await push.send_multipart([b"%d" % i, b"x" * (i % 300)])

            async def recv():
                for i in range(ASYNC_N):
                    head, body = await pull.recv_multipart()
                    assert head == b"%d" % i and body == b"x" * (i % 300)

            await asyncio.wait_for(asyncio.gather(send(), recv()), 60)
            assert await pull.poll(50) == 0
        finally:
            ctx.destroy(linger=0)
    asyncio.run(main())


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_asyncio_req_rep_thousands(transport, tmp_path):
    """4 REQ clients x 500 round trips to one REP, all coroutines of one loop."""
    async def main():
        ctx = zmq.asyncio.Context()
        try:
            rep = ctx.socket(zmq.REP)
            rep.linger = 0
            ep = bind(rep, endpoint(transport, tmp_path))
            clients = []
            for _ in range(4):
                req = ctx.socket(zmq.REQ)
                req.linger = 0
                req.connect(ep)
                clients.append(req)
            per_client = 500

            async def server():
                for _ in range(per_client * len(clients)):
                    msg = await rep.recv()
                    await rep.send(msg[::-1])

            async def client(k, req):
                for i in range(per_client):
                    msg = b"%d-%d" % (k, i)
                    await req.send(msg)
                    assert await req.recv() == msg[::-1]

            await asyncio.wait_for(
                asyncio.gather(server(), *(client(k, r) for k, r in enumerate(clients))), 60)
        finally:
            ctx.destroy(linger=0)
    asyncio.run(main())


def test_asyncio_poller_and_timeouts(tmp_path):
    """zmq.asyncio.Poller over several sockets, and recv with RCVTIMEO."""
    async def main():
        ctx = zmq.asyncio.Context()
        try:
            pairs = [connected_pair(ctx, zmq.PULL, zmq.PUSH, "ipc", tmp_path, f"p{k}")
                     for k in range(3)]
            poller = zmq.asyncio.Poller()
            for pull, _ in pairs:
                poller.register(pull, zmq.POLLIN)
            assert await poller.poll(50) == []
            got = []
            for round_ in range(300):
                k = round_ % 3
                await pairs[k][1].send(b"%d" % round_)
                events = await poller.poll(int(WAIT_S * 1000))
                assert events == [(pairs[k][0], zmq.POLLIN)]
                got.append(await pairs[k][0].recv())
            assert got == [b"%d" % i for i in range(300)]
            lone = pairs[0][0]
            lone.rcvtimeo = 100
            t0 = time.monotonic()
            with pytest.raises(zmq.Again):
                await lone.recv()
            assert 0.08 <= time.monotonic() - t0 < 2
        finally:
            ctx.destroy(linger=0)
    asyncio.run(main())


# ---- tornado's ZMQStream -------------------------------------------------------

STREAM_N = 5000


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_zmqstream_echo_thousands(transport, tmp_path):
    """A DEALER ZMQStream sends 5000 messages to a ROUTER ZMQStream that
    echoes them from its on_recv_stream callback; on_send fires for each.
    (No HWM: a ROUTER drops what does not fit, and the stream queues all
    5000 at once.)"""
    from zmq.eventloop.zmqstream import ZMQStream

    async def main():
        ctx = zmq.Context()
        try:
            router, dealer = connected_pair(ctx, zmq.ROUTER, zmq.DEALER, transport, tmp_path,
                                            sndhwm=0, rcvhwm=0)
            server = ZMQStream(router)
            client = ZMQStream(dealer)
            server.on_recv_stream(lambda stream, msg: stream.send_multipart(msg))
            received, sent = [], []
            done = asyncio.Event()

            def on_recv(msg):
                received.append(msg)
                if len(received) == STREAM_N:
                    done.set()

            client.on_recv(on_recv)
            client.on_send(lambda msg, status: sent.append(msg))
            for i in range(STREAM_N):
                client.send_multipart([b"%d" % i, b"payload"])
            await asyncio.wait_for(done.wait(), 60)
            assert received == [[b"%d" % i, b"payload"] for i in range(STREAM_N)]
            assert len(sent) == STREAM_N
            server.close(linger=0)
            client.close(linger=0)
        finally:
            ctx.destroy(linger=0)
    asyncio.run(main())


def test_zmqstream_pull_thousands(tmp_path):
    """A PULL ZMQStream (on_recv, copy=False) fed by a plain PUSH from a
    thread; the stream flushes and stops receiving after stop_on_recv."""
    from zmq.eventloop.zmqstream import ZMQStream

    async def main():
        ctx = zmq.Context()
        try:
            pull, push = connected_pair(ctx, zmq.PULL, zmq.PUSH, "tcp", tmp_path)
            stream = ZMQStream(pull)
            got = []
            done = asyncio.Event()

            def on_recv(frames):
                assert isinstance(frames[0], zmq.Frame)
                got.append(frames[0].bytes)
                if len(got) == STREAM_N:
                    done.set()

            stream.on_recv(on_recv, copy=False)
            feeder = threading.Thread(
                target=lambda: [push.send(b"%d" % i) for i in range(STREAM_N)])
            feeder.start()
            await asyncio.wait_for(done.wait(), 60)
            feeder.join(WAIT_S)
            assert got == [b"%d" % i for i in range(STREAM_N)]
            stream.stop_on_recv()
            push.send(b"after")
            await asyncio.sleep(0.2)
            assert len(got) == STREAM_N
            assert pull.recv() == b"after"
            stream.close(linger=0)
        finally:
            ctx.destroy(linger=0)
    asyncio.run(main())


# ---- zmq.utils.monitor ---------------------------------------------------------

def next_event(mon: zmq.Socket, skip=()) -> dict:
    while True:
        assert mon.poll(int(WAIT_S * 1000)), "no monitor event"
        ev = recv_monitor_message(mon)
        assert set(ev) == {"event", "value", "endpoint"}
        if ev["event"] not in skip:
            return ev


def sock_of(fd: int) -> pysocket.socket:
    """A duplicate of the library's socket fd, to look at it."""
    assert stat.S_ISSOCK(os.fstat(fd).st_mode), f"{fd} is not a socket"
    return pysocket.fromfd(fd, pysocket.AF_INET, pysocket.SOCK_STREAM)


def test_monitor_connection_lifecycle(ctx):
    """Server and client monitors see LISTENING, ACCEPTED / CONNECT_DELAYED,
    CONNECTED, HANDSHAKE_SUCCEEDED, DISCONNECTED, CONNECT_RETRIED with the
    values libzmq gives: fds of the right sockets, EINPROGRESS, the retry
    interval, and the endpoints as bound / connected."""
    server = ctx.socket(zmq.REP)
    client = ctx.socket(zmq.REQ)
    for s in (server, client):
        s.linger = 0
    client.reconnect_ivl = 200
    smon = server.get_monitor_socket()
    cmon = client.get_monitor_socket()
    port = server.bind_to_random_port("tcp://127.0.0.1")
    ep = f"tcp://127.0.0.1:{port}"

    ev = next_event(smon)
    assert (ev["event"], ev["endpoint"]) == (zmq.EVENT_LISTENING, ep.encode())
    with sock_of(ev["value"]) as listener:
        assert listener.getsockname() == ("127.0.0.1", port)

    client.connect(ep)
    ev = next_event(cmon)
    if ev["event"] == zmq.EVENT_CONNECT_DELAYED:
        import errno
        assert ev["value"] == errno.EINPROGRESS
        ev = next_event(cmon)
    assert (ev["event"], ev["endpoint"]) == (zmq.EVENT_CONNECTED, ep.encode())
    with sock_of(ev["value"]) as conn:
        assert conn.getpeername() == ("127.0.0.1", port)
        client_port = conn.getsockname()[1]
    ev = next_event(cmon)
    assert ev == {"event": zmq.EVENT_HANDSHAKE_SUCCEEDED, "value": 0, "endpoint": ep.encode()}

    ev = next_event(smon)
    assert (ev["event"], ev["endpoint"]) == (zmq.EVENT_ACCEPTED, ep.encode())
    with sock_of(ev["value"]) as conn:
        assert conn.getsockname() == ("127.0.0.1", port)
        assert conn.getpeername() == ("127.0.0.1", client_port)
    ev = next_event(smon)
    assert ev == {"event": zmq.EVENT_HANDSHAKE_SUCCEEDED, "value": 0, "endpoint": ep.encode()}

    client.send(b"ping")
    assert server.poll(int(WAIT_S * 1000))
    server.send(server.recv())
    assert client.poll(int(WAIT_S * 1000)) and client.recv() == b"ping"

    server.close()
    ev = next_event(cmon)
    assert (ev["event"], ev["endpoint"]) == (zmq.EVENT_DISCONNECTED, ep.encode())
    assert ev["value"] >= 0
    ev = next_event(cmon, skip=(zmq.EVENT_CLOSED,))
    assert (ev["event"], ev["endpoint"]) == (zmq.EVENT_CONNECT_RETRIED, ep.encode())
    assert 200 <= ev["value"] < 400, "interval + jitter below the interval"

    client.disable_monitor()
    ev = next_event(cmon, skip=(zmq.EVENT_CONNECT_DELAYED, zmq.EVENT_CLOSED,
                                zmq.EVENT_CONNECT_RETRIED))
    assert ev["event"] == zmq.EVENT_MONITOR_STOPPED
    cmon.close()
    smon.close()


def test_monitor_ipc_reconnect(ctx, tmp_path):
    """ipc: the peer goes, the client reports DISCONNECTED and
    CONNECT_RETRIED, and then for every failed attempt (the path is gone)
    CLOSED with the attempt's socket before the next CONNECT_RETRIED."""
    ep = f"ipc://{tmp_path}/rc.ipc"
    server = ctx.socket(zmq.PULL)
    client = ctx.socket(zmq.PUSH)
    for s in (server, client):
        s.linger = 0
    client.reconnect_ivl = 50
    server.bind(ep)
    cmon = client.get_monitor_socket()
    client.connect(ep)
    ev = next_event(cmon)
    assert (ev["event"], ev["endpoint"]) == (zmq.EVENT_CONNECTED, ep.encode())
    assert stat.S_ISSOCK(os.fstat(ev["value"]).st_mode)
    assert next_event(cmon)["event"] == zmq.EVENT_HANDSHAKE_SUCCEEDED
    server.close()
    ev = next_event(cmon)
    assert (ev["event"], ev["endpoint"]) == (zmq.EVENT_DISCONNECTED, ep.encode())
    ev = next_event(cmon)
    assert ev["event"] == zmq.EVENT_CONNECT_RETRIED and 50 <= ev["value"] < 100
    for _ in range(3):
        ev = next_event(cmon)
        assert (ev["event"], ev["endpoint"]) == (zmq.EVENT_CLOSED, ep.encode())
        assert ev["value"] > 2, "the attempt's socket"
        ev = next_event(cmon)
        assert ev["event"] == zmq.EVENT_CONNECT_RETRIED and 50 <= ev["value"] < 100
    cmon.close()


def test_monitor_handshake_refused(ctx):
    """A PLAIN client with a wrong password: both monitors report
    HANDSHAKE_FAILED_AUTH with the ZAP status code 400."""
    from zmq.auth.thread import ThreadAuthenticator

    auth = ThreadAuthenticator(ctx)
    auth.start()
    try:
        auth.configure_plain(domain="*", passwords={"admin": "s3cret"})
        server = ctx.socket(zmq.PULL)
        client = ctx.socket(zmq.PUSH)
        for s in (server, client):
            s.linger = 0
        server.plain_server = True
        client.plain_username = b"admin"
        client.plain_password = b"wrong"
        smon = server.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH
                                         | zmq.EVENT_HANDSHAKE_SUCCEEDED)
        cmon = client.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH
                                         | zmq.EVENT_HANDSHAKE_SUCCEEDED)
        port = server.bind_to_random_port("tcp://127.0.0.1")
        ep = f"tcp://127.0.0.1:{port}".encode()
        client.connect(ep)
        assert next_event(smon) == {"event": zmq.EVENT_HANDSHAKE_FAILED_AUTH,
                                    "value": 400, "endpoint": ep}
        assert next_event(cmon) == {"event": zmq.EVENT_HANDSHAKE_FAILED_AUTH,
                                    "value": 400, "endpoint": ep}
        smon.close()
        cmon.close()
    finally:
        auth.stop()


# ---- many sockets, many threads --------------------------------------------------

def test_many_threads_many_pairs():
    """50 threads, each with a PAIR pair over inproc and one over tcp in one
    shared context, 200 messages each way on each, three rounds of
    create/exchange/close; then term returns at once."""
    ctx = zmq.Context()
    errors: list[BaseException] = []
    barrier = threading.Barrier(50)

    def worker(k: int) -> None:
        try:
            for rnd in range(3):
                pairs = []
                a = ctx.socket(zmq.PAIR)
                a.bind(f"inproc://pair-{k}-{rnd}")
                b = ctx.socket(zmq.PAIR)
                b.connect(f"inproc://pair-{k}-{rnd}")
                pairs.append((a, b))
                c = ctx.socket(zmq.PAIR)
                port = c.bind_to_random_port("tcp://127.0.0.1")
                d = ctx.socket(zmq.PAIR)
                d.connect(f"tcp://127.0.0.1:{port}")
                pairs.append((c, d))
                if rnd == 0:
                    barrier.wait(WAIT_S)
                for x, y in pairs:
                    for i in range(200):
                        x.send(b"%d:%d" % (k, i))
                        y.send(b"%d:%d" % (i, k))
                    for i in range(200):
                        assert y.recv() == b"%d:%d" % (k, i)
                        assert x.recv() == b"%d:%d" % (i, k)
                for x, y in pairs:
                    x.close(linger=0)
                    y.close(linger=0)
        except BaseException as e:      # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a worker is stuck"
    assert not errors, errors[:3]
    t0 = time.monotonic()
    ctx.term()
    assert time.monotonic() - t0 < 1


# ---- Context.term and linger -----------------------------------------------------

def free_tcp_port() -> int:
    with pysocket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lingering_sender(ep: str, linger_ms: int, n: int = 10):
    """A context whose PUSH queued n messages for a peer that is not there
    yet and was closed; returns the context and a thread running its term."""
    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    push.linger = linger_ms
    push.connect(ep)
    for i in range(n):
        push.send(b"queued %d" % i)
    push.close()
    done = threading.Event()

    def term():
        ctx.term()
        done.set()
    t = threading.Thread(target=term, daemon=True)
    t.start()
    return t, done


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_term_linger_delivers_to_late_peer(transport, tmp_path):
    """linger 5 s: term waits for the queued messages; a peer that binds
    0.5 s later gets all of them, and term returns once they are out (well
    before the linger ends)."""
    ep = (f"tcp://127.0.0.1:{free_tcp_port()}" if transport == "tcp"
          else f"ipc://{tmp_path}/late.ipc")
    thread, done = lingering_sender(ep, 5000)
    assert not done.wait(0.5), "term returned with messages still queued"
    late = zmq.Context()
    try:
        pull = late.socket(zmq.PULL)
        pull.linger = 0
        t0 = time.monotonic()
        pull.bind(ep)
        for i in range(10):
            assert pull.poll(int(WAIT_S * 1000)), f"queued message {i} never came"
            assert pull.recv() == b"queued %d" % i
        assert done.wait(3), "term still waiting after the messages were delivered"
        assert time.monotonic() - t0 < 3
    finally:
        late.destroy(linger=0)
    thread.join(1)


def test_term_linger_zero_drops_at_once(tmp_path):
    """linger 0: term returns at once and the queued messages are gone."""
    ep = f"tcp://127.0.0.1:{free_tcp_port()}"
    t0 = time.monotonic()
    thread, done = lingering_sender(ep, 0)
    assert done.wait(0.5), "term with linger 0 did not return at once"
    assert time.monotonic() - t0 < 0.5
    late = zmq.Context()
    try:
        pull = late.socket(zmq.PULL)
        pull.linger = 0
        pull.bind(ep)
        assert pull.poll(500) == 0, "a message survived linger 0"
    finally:
        late.destroy(linger=0)
    thread.join(1)


def test_term_linger_expires_without_peer(tmp_path):
    """linger 300 ms and no peer ever: term returns after about 300 ms."""
    t0 = time.monotonic()
    thread, done = lingering_sender(f"ipc://{tmp_path}/never.ipc", 300)
    assert done.wait(WAIT_S)
    assert 0.25 <= time.monotonic() - t0 < 2
    thread.join(1)


def test_term_wakes_blocked_socket():
    """The usual pyzmq shutdown: a thread blocked in recv gets
    ContextTerminated when term starts, closes its socket, and term returns."""
    ctx = zmq.Context()
    seen = []
    ready = threading.Event()

    def blocked():
        s = ctx.socket(zmq.PULL)
        s.bind("inproc://blocked")
        ready.set()
        try:
            s.recv()
        except zmq.ContextTerminated as e:
            seen.append(e.errno)
        finally:
            s.close()
    t = threading.Thread(target=blocked)
    t.start()
    assert ready.wait(WAIT_S)
    time.sleep(0.1)
    t0 = time.monotonic()
    ctx.term()
    assert time.monotonic() - t0 < 1
    t.join(WAIT_S)
    assert seen == [zmq.ETERM]
