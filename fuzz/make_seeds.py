#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz/corpus/<target>/seed-*: valid
greetings, handshakes, frames, upgrades, replies, each behind the
configuration bytes its target reads first (src/fuzzing documents each
layout). Inputs the fuzzers found (crashes, kept as regressions) live
beside them under other names and are not touched.

    python3 fuzz/make_seeds.py
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

# Indexes into the harnesses' choice tables (src/fuzzing).
TYPES = ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH",
         "XPUB", "XSUB", "SERVER", "CLIENT", "RADIO", "DISH", "GATHER",
         "SCATTER", "PEER", "CHANNEL"]
T = {name: i for i, name in enumerate(TYPES)}
MAX_NONE, MAX_1M, MAX_64K, MAX_100 = 5, 4, 3, 2
WHOLE, BYTE, SEVEN = 6, 0, 3
BATCH_8K, BATCH_7 = 3, 1
SEC_NULL, SEC_NULL_ZAP, SEC_PLAIN_S, SEC_PLAIN_C, SEC_CURVE_S, SEC_CURVE_C = range(6)
HEARTBEATS = 0x80
ZAP_NONE, ZAP_200, ZAP_400 = 0, 1, 3


def signature(id_len=0):
    return b"\xff" + struct.pack(">Q", id_len + 1) + b"\x7f"


def greeting(minor=1, mechanism=b"NULL", as_server=0):
    return (signature() + bytes([3, minor]) + mechanism.ljust(20, b"\0")
            + bytes([as_server]) + bytes(31))


def frame(flags, body):
    if len(body) > 255:
        return bytes([flags | 2]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body


def command(name, body=b""):
    return frame(4, bytes([len(name)]) + name + body)


def props(**kv):
    out = b""
    for k, v in kv.items():
        k = k.replace("_", "-").encode()
        out += bytes([len(k)]) + k + struct.pack(">I", len(v)) + v
    return out


def ready(socket_type, **kv):
    return command(b"READY", props(Socket_Type=socket_type, **kv))


def v2_greeting(socket_type):
    return signature() + bytes([1, socket_type])


def ws(op, payload, mask=True):
    head = bytes([0x80 | op])
    m = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        head += bytes([m | n])
    elif n < 65536:
        head += bytes([m | 126]) + struct.pack(">H", n)
    else:
        head += bytes([m | 127]) + struct.pack(">Q", n)
    # A zero key leaves the payload as it is.
    return head + (b"\0\0\0\0" if mask else b"") + payload


def ws_frame(zws_flags, body, mask=True):
    return ws(2, bytes([zws_flags]) + body, mask)


def ws_command(name, body=b"", mask=True):
    return ws_frame(2, bytes([len(name)]) + name + body, mask)


REQUEST = (b"GET /zmq HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           b"Sec-WebSocket-Protocol: %s\r\nSec-WebSocket-Version: 13\r\n\r\n")
RESPONSE = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            b"Sec-WebSocket-Protocol: %s\r\n\r\n")

# The issue 11 input: a NULL greeting with random filler, then random bytes.
ISSUE_11 = bytes.fromhex(
    "ff000000000000007f03014e554c4c0000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000084f72866345ddc55ea83"
    "8c02035fa2bcc8fbd43d568fb95e56b2e2aae35b46264a51cf0a44e82af1c892"
    "6a414585d6a90bfcf5f03493f50d2de89490e4e171f8f2223a75f3e7ddf53fa3"
    "bf2ed15f33603f")


def seeds():
    s = {}
    # greeting: [type][mechanism][read size] peer
    s["greeting"] = {
        "v3.1-null": bytes([T["DEALER"], 0, WHOLE]) + greeting(),
        "v3.1-null-bytewise": bytes([T["DEALER"], 0, BYTE]) + greeting(),
        "v3.0-plain-server": bytes([T["REP"], 1, SEVEN]) + greeting(0, b"PLAIN", 1),
        "v3.1-curve": bytes([T["ROUTER"], 2, WHOLE]) + greeting(1, b"CURVE"),
        "v2": bytes([T["SUB"], 0, WHOLE]) + v2_greeting(T["PUB"]) + frame(0, b""),
        "v1-versioned": bytes([T["PAIR"], 0, WHOLE]) + signature() + b"\x00\x00",
        "v1-unversioned": bytes([T["PAIR"], 0, WHOLE]) + b"\x01\x00\x06\x00hello",
        "v1-long-id": bytes([T["PAIR"], 0, WHOLE]) + b"\xff" + struct.pack(">Q", 300) + b"\x00",
    }
    # decoder: [framing][batch][max][read size] frames
    v3 = (frame(1, b"part") + frame(0, b"last") + frame(2, b"x" * 300)
          + command(b"PING", b"\x00\x0a") + frame(0, b""))
    v1 = b"\x06\x00hello" + b"\x01\x01" + b"\xff" + struct.pack(">Q", 301) + b"\x00" + b"y" * 300
    s["decoder"] = {
        "v3.1-frames": bytes([2, 3, MAX_64K, WHOLE]) + v3,
        "v3.1-frames-bytewise": bytes([2, 1, MAX_64K, BYTE]) + v3,
        "v2-frames-small-max": bytes([1, 3, MAX_100, SEVEN]) + v3,
        "v1-frames": bytes([0, 2, MAX_64K, WHOLE]) + v1,
        "v3.1-long-over-max": bytes([2, 3, MAX_100, WHOLE]) + frame(2, b"z" * 1000),
        # No limit: the allocation of 2^63 bytes fails, the decoder errs.
        "v3.1-2e63-no-max": bytes([2, 3, MAX_NONE, WHOLE]) + b"\x02" + struct.pack(">Q", 1 << 63),
    }
    # engine: [type][security][max][batch][read size][zap] peer
    def eng(t, sec, peer, mx=MAX_1M, chunk=WHOLE, zap=ZAP_NONE, batch=BATCH_8K):
        return bytes([T[t], sec, mx, batch, chunk, zap]) + peer
    traffic = frame(1, b"hello") + frame(0, b"world") + command(b"PING", b"\x00\x0aping")
    plain_hello = command(b"HELLO", b"\x05admin\x08password")
    s["engine"] = {
        "null-dealer": eng("DEALER", SEC_NULL, greeting() + ready(b"ROUTER") + traffic),
        "null-router-identity": eng("ROUTER", SEC_NULL, greeting() + ready(b"DEALER", Identity=b"peer-1") + traffic),
        "null-bytewise": eng("PAIR", SEC_NULL, greeting() + ready(b"PAIR") + traffic, chunk=BYTE, batch=BATCH_7),
        "null-zap-200": eng("REP", SEC_NULL_ZAP, greeting() + ready(b"REQ") + frame(1, b"") + frame(0, b"req"), zap=ZAP_200),
        "null-zap-400": eng("REP", SEC_NULL_ZAP, greeting() + ready(b"REQ"), zap=ZAP_400),
        "null-heartbeats": eng("DEALER", SEC_NULL | HEARTBEATS, greeting() + ready(b"ROUTER") + command(b"PING", b"\x00\x01") + command(b"PONG") + frame(0, b"x" * 40)),
        "null-xpub-subscribe": eng("XPUB", SEC_NULL, greeting() + ready(b"SUB") + command(b"SUBSCRIBE", b"topic") + command(b"CANCEL", b"topic")),
        "null-radio-join": eng("RADIO", SEC_NULL, greeting() + ready(b"DISH") + command(b"JOIN", b"group") + command(b"LEAVE", b"group")),
        "null-v3.0-pub": eng("PUB", SEC_NULL, greeting(0) + ready(b"SUB") + frame(0, b"\x01topic")),
        "null-long-frame": eng("PULL", SEC_NULL, greeting() + ready(b"PUSH") + frame(2, b"L" * 70000)),
        "null-over-max": eng("PULL", SEC_NULL, greeting() + ready(b"PUSH") + frame(0, b"L" * 200), mx=MAX_100),
        "null-2e62-no-max": eng("ROUTER", SEC_NULL, greeting() + ready(b"DEALER") + b"\x02" + struct.pack(">Q", 1 << 62), mx=MAX_NONE),
        "null-error": eng("DEALER", SEC_NULL, greeting() + command(b"ERROR", b"\x06denied")),
        "null-mismatch": eng("DEALER", SEC_NULL, greeting(1, b"PLAIN")),
        "plain-server": eng("ROUTER", SEC_PLAIN_S, greeting(1, b"PLAIN") + plain_hello + command(b"INITIATE", props(Socket_Type=b"DEALER")) + traffic, zap=ZAP_200),
        "plain-server-refused": eng("ROUTER", SEC_PLAIN_S, greeting(1, b"PLAIN") + plain_hello, zap=ZAP_400),
        "plain-server-no-zap": eng("ROUTER", SEC_PLAIN_S, greeting(1, b"PLAIN") + plain_hello),
        "plain-client": eng("DEALER", SEC_PLAIN_C, greeting(1, b"PLAIN", 1) + command(b"WELCOME") + ready(b"ROUTER") + traffic),
        "curve-server-hello": eng("ROUTER", SEC_CURVE_S, greeting(1, b"CURVE") + command(b"HELLO", b"\x01\x00" + bytes(72) + bytes(range(32)) + bytes(8) + bytes(80))),
        "curve-client-welcome": eng("DEALER", SEC_CURVE_C, greeting(1, b"CURVE", 1) + command(b"WELCOME", bytes(range(160)))),
        "v2-peer": eng("DEALER", SEC_NULL, v2_greeting(T["ROUTER"]) + frame(0, b"") + frame(1, b"hello") + frame(0, b"world")),
        "v1-peer": eng("ROUTER", SEC_NULL, b"\x01\x00\x06\x00hello\x06\x00world"),
        "v1-peer-pub": eng("PUB", SEC_NULL, b"\x01\x00\x06\x00hello"),
        "issue-11-router": eng("ROUTER", SEC_NULL, ISSUE_11),
    }
    # engine_pair: [mechanism][socket pair][read size] changes
    s["engine_pair"] = {
        "null-dealer-router": bytes([0, 0, WHOLE]),
        "null-zap-req-rep": bytes([4, 2, SEVEN]),
        "null-heartbeats-pub-sub": bytes([0x80, 3, WHOLE]),
        "plain-dealer-router": bytes([1, 0, WHOLE]),
        "plain-client-server-bytewise": bytes([1, 5, BYTE]),
        "curve-dealer-router": bytes([2, 0, WHOLE]),
        "curve-dish-radio": bytes([2, 6, 4]),
        "curve-push-pull-heartbeats": bytes([0x82, 7, WHOLE]),
        # One change each: a flipped greeting byte, a cut READY, a
        # flipped byte in CURVE's INITIATE box and in a MESSAGE.
        "null-flip-greeting": bytes([0, 1, WHOLE]) + bytes([0, 0, 11, 0x40]),
        "null-cut-ready": bytes([0, 0, WHOLE]) + bytes([0x84, 0, 70, 0]),
        "plain-delete-hello": bytes([1, 0, WHOLE]) + bytes([3, 0, 66, 0]),
        "curve-flip-initiate": bytes([2, 0, WHOLE]) + bytes([0, 1, 0x20, 0x01]),
        "curve-flip-message": bytes([2, 0, WHOLE]) + bytes([0x80, 2, 0x00, 0x01]),
        "curve-insert-welcome": bytes([2, 2, WHOLE]) + bytes([0x82, 0, 100, 7]),
    }

    # zap_reply: [mechanism][socket pair][read size] frames
    def zap(*frames):
        out = b""
        for i, f in enumerate(frames):
            out += bytes([(0x80 if i + 1 < len(frames) else 0) | len(f)]) + f
        return out
    meta = props(Hello=b"World")
    ok = zap(b"", b"1.0", b"1", b"200", b"OK", b"user", meta)
    s["zap_reply"] = {
        "null-200": bytes([4, 0, WHOLE]) + ok,
        "plain-200": bytes([1, 0, WHOLE]) + ok,
        "curve-200": bytes([2, 0, WHOLE]) + ok,
        "plain-400": bytes([1, 2, WHOLE]) + zap(b"", b"1.0", b"1", b"400", b"No", b"", b""),
        "curve-300": bytes([2, 0, WHOLE]) + zap(b"", b"1.0", b"1", b"300", b"Later", b"", b""),
        "null-500": bytes([4, 1, WHOLE]) + zap(b"", b"1.0", b"1", b"500", b"Err", b"", b""),
        "plain-bad-version": bytes([1, 0, WHOLE]) + zap(b"", b"2.0", b"1", b"200", b"", b"", b""),
        "plain-bad-id": bytes([1, 0, WHOLE]) + zap(b"", b"1.0", b"7", b"200", b"", b"", b""),
        "plain-six-frames": bytes([1, 0, WHOLE]) + zap(b"", b"1.0", b"1", b"200", b"", b""),
        "curve-bad-metadata": bytes([2, 0, WHOLE]) + zap(b"", b"1.0", b"1", b"200", b"", b"u", b"\x05Hello\x00\x00"),
    }
    # ws_server: [mechanism][max][read size] client bytes
    null_ready = ws_command(b"READY", props(Socket_Type=b"DEALER"))
    s["ws_server"] = {
        "null": bytes([0, MAX_1M, WHOLE]) + (REQUEST % b"ZWS2.0/NULL,ZWS2.0") + null_ready + ws_frame(1, b"hello") + ws_frame(0, b"world"),
        "null-bytewise": bytes([0, MAX_1M, BYTE]) + (REQUEST % b"ZWS2.0/NULL") + null_ready + ws_frame(0, b"x" * 200),
        "bare-zws2": bytes([0, MAX_1M, WHOLE]) + (REQUEST % b"ZWS2.0") + ws_frame(0, b"") + ws_frame(0, b"msg"),
        "null-ping-close": bytes([0, MAX_1M, WHOLE]) + (REQUEST % b"ZWS2.0/NULL") + null_ready + ws(9, b"p") + ws(8, b"\x03\xe8bye"),
        "null-long-frame": bytes([0, MAX_1M, SEVEN]) + (REQUEST % b"ZWS2.0/NULL") + null_ready + ws_frame(0, b"L" * 70000),
        "null-over-max": bytes([0, MAX_100, WHOLE]) + (REQUEST % b"ZWS2.0/NULL") + null_ready + ws_frame(0, b"L" * 300),
        "plain": bytes([1, MAX_1M, WHOLE]) + (REQUEST % b"ZWS2.0/PLAIN") + ws_command(b"HELLO", b"\x05admin\x08password") + ws_command(b"INITIATE", props(Socket_Type=b"DEALER")),
        "curve-hello": bytes([2, MAX_1M, WHOLE]) + (REQUEST % b"ZWS2.0/CURVE") + ws_command(b"HELLO", b"\x01\x00" + bytes(192)),
        "unmasked-refused": bytes([0, MAX_1M, WHOLE]) + (REQUEST % b"ZWS2.0/NULL") + ws_command(b"READY", mask=False),
    }
    # ws_client: [mechanism][max][read size] server bytes
    srv_ready = ws_command(b"READY", props(Socket_Type=b"ROUTER"), mask=False)
    s["ws_client"] = {
        "null": bytes([0, MAX_1M, WHOLE]) + (RESPONSE % b"ZWS2.0/NULL") + srv_ready + ws_frame(1, b"hello", False) + ws_frame(0, b"world", False),
        "null-bytewise": bytes([0, MAX_1M, BYTE]) + (RESPONSE % b"ZWS2.0/NULL") + srv_ready + ws(9, b"ping", False),
        "bare-zws2": bytes([0, MAX_1M, WHOLE]) + (RESPONSE % b"ZWS2.0") + ws_frame(0, b"", False) + ws_frame(0, b"m", False),
        "plain": bytes([1, MAX_1M, WHOLE]) + (RESPONSE % b"ZWS2.0/PLAIN") + ws_command(b"WELCOME", mask=False) + srv_ready,
        "curve-welcome": bytes([2, MAX_1M, WHOLE]) + (RESPONSE % b"ZWS2.0/CURVE") + ws_command(b"WELCOME", bytes(160), mask=False),
        "close": bytes([0, MAX_1M, WHOLE]) + (RESPONSE % b"ZWS2.0/NULL") + ws(8, b"\x03\xe8", False),
        "refused": bytes([0, MAX_1M, WHOLE]) + b"HTTP/1.1 400 Bad Request\r\n\r\n",
    }
    # socks: [credentials][target][read size] proxy replies
    v4 = b"\x05\x00\x00\x01\x7f\x00\x00\x01\x15\xb3"
    s["socks"] = {
        "no-auth-ipv4": bytes([0, 0, WHOLE]) + b"\x05\x00" + v4,
        "no-auth-bytewise": bytes([0, 1, BYTE]) + b"\x05\x00" + b"\x05\x00\x00\x04" + bytes(16) + b"\x00\x50",
        "basic-auth-domain": bytes([1, 2, WHOLE]) + b"\x05\x02\x01\x00" + b"\x05\x00\x00\x03\x0bexample.org\x01\xbb",
        "basic-auth-failed": bytes([1, 0, WHOLE]) + b"\x05\x02\x01\x01",
        "no-acceptable-method": bytes([0, 0, WHOLE]) + b"\x05\xff",
        "refused": bytes([0, 0, WHOLE]) + b"\x05\x00\x05\x05\x00\x01" + bytes(6),
        "bad-target": bytes([0, 3, WHOLE]) + b"\x05\x00" + v4,
        "own-target": bytes([0, 255, 14]) + b"10.0.0.1:65535" + bytes([WHOLE]) + b"\x05\x00" + v4,
    }
    s["udp"] = {
        "radio": b"\x02TVFriends",
        "empty-group": b"\x00body",
        "short": b"\x09TV",
        "nul-in-group": b"\x03a\x00bbody",
        "dgram-address": b"127.0.0.1:5555\x00",
        "dgram-bad-host": b"256.1.1.1:80",
    }
    s["z85"] = {
        "hello-world": b"HelloWorld",
        "zeros": b"00000",
        "max-group": b"%nSc0",
        "over-max": b"#####",
        "bad-char": b"Hello\x7fWorl",
        "curve-key": b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
    }

    # trie: [op][len] key ...
    def op(o, key=b""):
        return bytes([o, len(key)]) + key
    s["trie"] = {
        "subscribe-check-unsubscribe": op(0, b"ab") + op(0, b"ab") + op(0, b"") + op(2, b"abc") + op(1, b"ab") + op(7) + op(1, b"ab") + op(1, b"") + op(2, b"a") + op(7),
        "pipes": op(3, b"a") + op(0x13, b"a") + op(0x23, b"ab") + op(6, b"abc") + op(0x14, b"a") + op(0x25, b"") + op(0x45) + op(7),
    }

    # setsockopt: [type] records [option][length] value
    def opt(o, v):
        return bytes([o, len(v)]) + v
    i32 = lambda v: struct.pack("<i", v)
    s["setsockopt"] = {
        "sub-subscribe": bytes([2]) + opt(6, b"topic") + opt(7, b"topic") + opt(6, b""),
        "router-ids": bytes([6]) + opt(5, b"id") + opt(61, b"peer") + opt(33, i32(1)),
        "linger-hwm": bytes([5]) + opt(17, i32(-1)) + opt(23, i32(1000)) + opt(24, i32(0)),
        "maxmsgsize": bytes([7]) + opt(22, struct.pack("<q", 1 << 20)),
        "curve-keys-z85": bytes([5]) + opt(50, b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7") + opt(49, bytes(32)) + opt(48, b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"),
        "plain": bytes([4]) + opt(45, b"admin") + opt(46, b"secret") + opt(44, i32(1)),
        "zap-domain": bytes([4]) + opt(55, b"global") + opt(55, b"x" * 254),
        "accept-filter": bytes([6]) + opt(38, b"127.0.0.1") + opt(38, b"::1") + opt(38, b""),
        "socks": bytes([5]) + opt(68, b"127.0.0.1:1080") + opt(99, b"user") + opt(100, b"pass"),
        "heartbeats": bytes([5]) + opt(75, i32(100)) + opt(76, i32(65535 * 100)) + opt(77, i32(300)),
        "xpub-welcome": bytes([9]) + opt(72, b"welcome") + opt(40, i32(1)),
        "null-value": bytes([5]) + bytes([6, 255]) + bytes([5, 255]),
        "big-option": bytes([5, 255]) + struct.pack(">i", 0x7fffffff) + bytes([1, 0]),
        "metadata": bytes([0]) + opt(95, b"X-key:value") + opt(95, b"bad"),
        "wss-pem": bytes([0]) + opt(104, b"-----BEGIN CERTIFICATE-----\n") + opt(106, b"x"),
    }
    return s


def main():
    for target, items in seeds().items():
        d = os.path.join(ROOT, target)
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            if name.startswith("seed-"):
                os.remove(os.path.join(d, name))
        for name, data in items.items():
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)
    print(sum(len(v) for v in seeds().values()), "seeds")


if __name__ == "__main__":
    main()
