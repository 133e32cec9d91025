"""pyzmq's zmq.auth on the libzmq given in ZMQ_TEST_LIB (and LD_PRELOAD).

Run through tests/pyzmq/run.sh, which makes the virtualenv and preloads the
library: ours by default, the reference libzmq 4.3.5 to check the test.

The server binds (PULL, PLAIN or CURVE server, no ZAP domain), the client
connects (PUSH) and sends one message; pyzmq's ThreadAuthenticator answers
the server's ZAP requests. A client that is let in delivers its message
with the User-Id the authenticator gave (PLAIN: the username; CURVE: the
Z85 of the client's public key); one that is refused delivers nothing
within DENIED_MS.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from pathlib import Path

import pytest
import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator

LIB = os.path.realpath(os.environ.get("ZMQ_TEST_LIB", ""))
ARRIVES_MS = 5000       # a message that is let in arrives within this
DENIED_MS = 750         # a refused client's message must not arrive within this


class DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def test_runs_on_the_given_library():
    """The library is mapped, the process's zmq_* symbols (which the pyzmq
    extension's undefined zmq_* references bind to) are its, and a context
    made through pyzmq is one of its contexts."""
    assert os.path.isfile(LIB), "set ZMQ_TEST_LIB (tests/pyzmq/run.sh does)"
    maps = Path("/proc/self/maps").read_text()
    mapped = {line.split()[-1] for line in maps.splitlines() if len(line.split()) >= 6}
    assert LIB in {os.path.realpath(p) for p in mapped if p.startswith("/")}, \
        f"{LIB} is not mapped: is it in LD_PRELOAD?"

    scope = ctypes.CDLL(None)       # the global scope, LD_PRELOAD first
    for name in ("zmq_ctx_new", "zmq_socket", "zmq_msg_gets", "zmq_setsockopt"):
        info = DlInfo()
        addr = ctypes.cast(getattr(scope, name), ctypes.c_void_p)
        assert scope.dladdr(addr, ctypes.byref(info)) != 0
        assert os.path.realpath(info.dli_fname.decode()) == LIB, \
            f"{name} resolves to {info.dli_fname.decode()}, not {LIB}"

    lib = ctypes.CDLL(LIB)
    lib.zmq_ctx_get.argtypes = [ctypes.c_void_p, ctypes.c_int]
    ctx = zmq.Context()
    try:
        ctx.set(zmq.MAX_SOCKETS, 777)
        assert lib.zmq_ctx_get(ctx.underlying, zmq.MAX_SOCKETS) == 777
    finally:
        ctx.term()


def test_has_curve():
    assert zmq.has("curve") is True


# ---- fixtures ------------------------------------------------------------------

@pytest.fixture
def ctx():
    c = zmq.Context()
    yield c
    c.destroy(linger=0)


@pytest.fixture
def auth(ctx):
    a = ThreadAuthenticator(ctx)
    a.start()
    yield a
    a.stop()


def serve(ctx, **opts) -> tuple[zmq.Socket, str]:
    """A bound PULL server with the given security options."""
    s = ctx.socket(zmq.PULL)
    s.linger = 0
    for k, v in opts.items():
        setattr(s, k, v)
    port = s.bind_to_random_port("tcp://127.0.0.1")
    return s, f"tcp://127.0.0.1:{port}"


def client(ctx, endpoint, **opts) -> zmq.Socket:
    c = ctx.socket(zmq.PUSH)
    c.linger = 0
    for k, v in opts.items():
        setattr(c, k, v)
    c.connect(endpoint)
    c.send(b"hello")
    return c


def expect_message(server: zmq.Socket, sender: zmq.Socket, user_id: str) -> None:
    """(The sender is passed to keep it alive: closed, its message is gone.)"""
    assert not sender.closed
    assert server.poll(ARRIVES_MS) == zmq.POLLIN, "the client was let in but nothing arrived"
    frame = server.recv(copy=False)
    assert frame.bytes == b"hello"
    assert frame.get("User-Id") == user_id


def expect_nothing(server: zmq.Socket, sender: zmq.Socket) -> None:
    assert not sender.closed
    assert server.poll(DENIED_MS) == 0, "a refused client's message got through"


# ---- PLAIN -------------------------------------------------------------------------

def test_plain_right_password(ctx, auth):
    auth.configure_plain(domain="*", passwords={"admin": "s3cret"})
    server, ep = serve(ctx, plain_server=True)
    sender = client(ctx, ep, plain_username=b"admin", plain_password=b"s3cret")
    expect_message(server, sender, "admin")


def test_plain_wrong_password(ctx, auth):
    auth.configure_plain(domain="*", passwords={"admin": "s3cret"})
    server, ep = serve(ctx, plain_server=True)
    sender = client(ctx, ep, plain_username=b"admin", plain_password=b"wrong")
    expect_nothing(server, sender)


def test_plain_deny_address(ctx, auth):
    auth.deny("127.0.0.1")
    auth.configure_plain(domain="*", passwords={"admin": "s3cret"})
    server, ep = serve(ctx, plain_server=True)
    sender = client(ctx, ep, plain_username=b"admin", plain_password=b"s3cret")
    expect_nothing(server, sender)


def test_plain_allow_address(ctx, auth):
    """The counterpart of the deny: an allowed address still passes."""
    auth.allow("127.0.0.1")
    auth.configure_plain(domain="*", passwords={"admin": "s3cret"})
    server, ep = serve(ctx, plain_server=True)
    sender = client(ctx, ep, plain_username=b"admin", plain_password=b"s3cret")
    expect_message(server, sender, "admin")


# ---- CURVE -------------------------------------------------------------------------

@pytest.fixture
def certs(tmp_path):
    """Key pairs made with zmq.auth.create_certificates: server, client and
    intruder in keys/, and only the client's public certificate in
    authorized/ (the directory the authenticator reads)."""
    keys = tmp_path / "keys"
    authorized = tmp_path / "authorized"
    keys.mkdir()
    authorized.mkdir()
    out = {}
    for name in ("server", "client", "intruder"):
        public_file, secret_file = zmq.auth.create_certificates(str(keys), name)
        out[name] = zmq.auth.load_certificate(secret_file)    # (public, secret), Z85
    shutil.copy(keys / "client.key", authorized / "client.key")
    out["authorized"] = str(authorized)
    return out


def curve_server(ctx, certs):
    public, secret = certs["server"]
    return serve(ctx, curve_publickey=public, curve_secretkey=secret, curve_server=True)


def curve_client(ctx, ep, certs, name):
    public, secret = certs[name]
    return client(ctx, ep, curve_publickey=public, curve_secretkey=secret,
                  curve_serverkey=certs["server"][0])


def test_curve_certificate_directory(ctx, auth, certs):
    auth.configure_curve(domain="*", location=certs["authorized"])
    server, ep = curve_server(ctx, certs)
    sender = curve_client(ctx, ep, certs, "client")
    expect_message(server, sender, certs["client"][0].decode())


def test_curve_unknown_client_key(ctx, auth, certs):
    auth.configure_curve(domain="*", location=certs["authorized"])
    server, ep = curve_server(ctx, certs)
    sender = curve_client(ctx, ep, certs, "intruder")
    expect_nothing(server, sender)


def test_curve_allow_any(ctx, auth, certs):
    auth.configure_curve(domain="*", location=zmq.auth.CURVE_ALLOW_ANY)
    server, ep = curve_server(ctx, certs)
    sender = curve_client(ctx, ep, certs, "intruder")
    expect_message(server, sender, certs["intruder"][0].decode())
