"""pyzmq's zmq.auth on the libzmq given in ZMQ_TEST_LIB (and LD_PRELOAD).

Run through tests/pyzmq/run.sh, which makes the virtualenv and preloads the
library: ours by default, the reference libzmq 4.3.5 or pyzmq's bundled one
to check the test.

The server binds (PULL, PLAIN or CURVE server, no ZAP domain), the client
connects (PUSH) and sends one message; pyzmq's ThreadAuthenticator answers
the server's ZAP requests. A client that is let in delivers its message
with the User-Id the authenticator gave (PLAIN: the username; CURVE: the
Z85 of the client's public key); one that is refused delivers nothing
within DENIED_MS.
"""

from __future__ import annotations

import shutil

import pytest
import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator

ARRIVES_MS = 5000       # a message that is let in arrives within this
DENIED_MS = 750         # a refused client's message must not arrive within this


def test_runs_on_the_given_library():
    """The library is mapped, the zmq_* symbols pyzmq's extension binds to
    are its (dladdr), a context made through pyzmq is one of its contexts,
    and zmq.has("wss") is its answer (zmqlib_check.py, which run.sh also
    runs at the start of every session)."""
    from zmqlib_check import check_serving
    check_serving()


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
