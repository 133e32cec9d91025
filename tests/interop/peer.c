/* One side of an interop scenario, written against the stable zmq.h only.
 *
 * tests/interop/run.py compiles this file twice, once against the reference
 * libzmq 4.3.5 and once against ours, and runs one copy of each against the
 * other. Both sides of every pattern live here, so the two programs run the
 * very same script; which library is on which side is the driver's choice.
 *
 *   peer --pattern P --side a|b (--bind EP | --connect EP)
 *        [--scenario basic|restart|many] [--phase 0|1|2] [--count N]
 *        [--big] [--timeout-ms MS] [--plain server|client] [--curve server|client]
 *        [--plain-user U --plain-password P]     (PLAIN client; admin/s3cret)
 *        [--curve-public Z85 --curve-secret Z85] (CURVE: this side's keys)
 *        [--curve-server-key Z85]                (CURVE client)
 *        [--allow-plain USER:PASS]... [--allow-curve Z85,ID]...  (server's ZAP)
 *        [--user-id ID | --no-user-id] [--await-event NAME]
 *
 * Patterns and their sides (a / b): pair PAIR/PAIR, reqrep REQ/REP,
 * dealer-router DEALER/ROUTER, pubsub PUB/SUB, xpubxsub XPUB/XSUB,
 * pushpull PUSH/PULL, and the mixed envelopes req-router REQ/ROUTER and
 * dealer-rep DEALER/REP (basic only).
 *
 * Scenarios:
 *   basic    one round of the full message set (sizes 0, 1, 33, 34, 255,
 *            256, 1 MiB, multipart with empty frames; 64 MiB with --big).
 *   restart  phase 0 (the survivor): round 1, wait until the peer was
 *            restarted, round 2. Phase 1: round 1, then wait to be killed.
 *            Phase 2 (the restarted peer): round 2 only.
 *   many     --count N sockets on the side that connects (DEALER, PUSH,
 *            SUB) against one socket (ROUTER, PULL, PUB).
 *   plain    one round of the small set over the PLAIN mechanism
 *   curve    (--plain server|client) or CURVE (--curve server|client); the
 *            server runs a ZAP handler, and every content frame it receives
 *            must carry the User-Id (--user-id) and the property the
 *            handler gave; the client's must carry none (--no-user-id).
 *   deny     DEALER client, ROUTER server: the handshake must fail (see
 *            run_deny) and no message get through.
 *
 * Talk with the driver, one line each, on stdout:
 *   lib PATH          the libzmq this process runs with (dladdr)
 *   endpoint EP       after a bind: ZMQ_LAST_ENDPOINT
 *   sig WORD          forwarded by the driver to the other peer's stdin
 *   phase1-done       (restart) round 1 is over on this side
 *   peer-gone         (restart, survivor) the killed peer's connection is gone
 *   event NAME VALUE  (deny) a handshake event of the monitor
 *   ok N BYTES        success: N messages and BYTES body bytes checked
 * and on stdin: "sig WORD" lines from the other peer. A failure prints
 * "FAIL: what" on stderr and exits 1; every blocking call has a timeout.
 *
 * Every frame's bytes are a function of (stream, message, frame, offset),
 * so the receiver checks each message byte for byte without a copy of it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>

#include "peer_io.h"

/* ---- the patterns, one round each --------------------------------------- */

/* Streams: round r's a-to-b messages are stream 2r, b-to-a 2r+1; peer i of
 * a many scenario uses 10+2i (requests) and 11+2i (replies). */
#define A_STREAM(r) ((uint32_t)(2 * (r)))
#define B_STREAM(r) ((uint32_t)(2 * (r) + 1))

/* PAIR a, REQ, DEALER: send a message, receive the answer, in lock step. */
static void ask_each(void *s, int r)
{
    for (size_t i = 0; i < set_len; i++) {
        send_msg(s, NULL, A_STREAM(r), i);
        expect_msg(s, B_STREAM(r), i);
    }
}

/* PAIR b, REP: receive a message, answer it. */
static void answer_each(void *s, int r)
{
    for (size_t i = 0; i < set_len; i++) {
        expect_msg(s, A_STREAM(r), i);
        send_msg(s, NULL, B_STREAM(r), i);
    }
}

/* ROUTER: every message comes with the DEALER's routing id, the answer is
 * routed back by it. */
static void route_each(void *s, int r)
{
    for (size_t i = 0; i < set_len; i++) {
        expect_text(s, "dealer-0", 1, "the DEALER's routing id");
        expect_msg(s, A_STREAM(r), i);
        send_msg(s, "dealer-0", B_STREAM(r), i);
    }
}

/* ROUTER facing a REQ: the envelope is [routing id][empty delimiter]; the
 * REQ chose no routing id, so the ROUTER's generated one is echoed back. */
static void route_req_each(void *s, int r)
{
    for (size_t i = 0; i < set_len; i++) {
        zmq_msg_t id;
        zmq_msg_init(&id);
        recv_frame(s, &id, "the REQ's routing id");
        if (!zmq_msg_more(&id) || zmq_msg_size(&id) == 0)
            fail("message %zu: the routing id frame is empty or last", i);
        expect_text(s, "", 1, "the REQ's empty delimiter");
        expect_msg(s, A_STREAM(r), i);
        if (zmq_msg_send(&id, s, ZMQ_SNDMORE) < 0)
            zfail("send the routing id");
        send_bytes(s, "", 0, 1, "send the delimiter");
        send_msg(s, NULL, B_STREAM(r), i);
    }
}

/* DEALER facing a REP: it writes the empty delimiter REQ would. */
static void ask_rep_each(void *s, int r)
{
    for (size_t i = 0; i < set_len; i++) {
        send_bytes(s, "", 0, 1, "send the delimiter");
        send_msg(s, NULL, A_STREAM(r), i);
        expect_text(s, "", 1, "the REP's empty delimiter");
        expect_msg(s, B_STREAM(r), i);
    }
}

static void push_all(void *s, int r)
{
    for (size_t i = 0; i < set_len; i++)
        send_msg(s, NULL, A_STREAM(r), i);
}

static void pull_all(void *s, int r)
{
    for (size_t i = 0; i < set_len; i++)
        expect_msg(s, A_STREAM(r), i);
}

/* PUB: publish "sync" until the subscriber says it hears us, then every
 * message twice, on the unsubscribed topic "skip" and on "data", then "end".
 * The subscriber must see each "data" message once, in order, and no "skip". */
static void publish(void *s, int r)
{
    zmq_pollitem_t in = {NULL, 0, ZMQ_POLLIN, 0};
    double deadline = now_ms() + opt.timeout_ms;
    stage = "publishing sync until the subscriber hears it";
    for (;;) {
        send_bytes(s, "sync", 4, 0, "send sync");
        int rc = zmq_poll(&in, 1, 10);
        if (rc < 0)
            zfail("zmq_poll stdin");
        if (rc > 0) {
            expect_signal("go");
            break;
        }
        if (now_ms() > deadline)
            fail("timed out after %d ms: the subscriber never heard a sync", opt.timeout_ms);
    }
    stage = "publishing";
    for (size_t i = 0; i < set_len; i++) {
        send_msg(s, "skip", A_STREAM(r), i);
        send_msg(s, "data", A_STREAM(r), i);
    }
    send_bytes(s, "end", 3, 0, "send end");
}

/* SUB or XSUB after subscribing: stray "sync"s first, then the data. */
static void receive_published(void *s, int r, int syncs_allowed)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    for (size_t i = 0; i < set_len; i++) {
        for (;;) {
            recv_frame(s, &m, "a published message");
            if (!(syncs_allowed && i == 0 && frame_is(&m, "sync") && !zmq_msg_more(&m)))
                break;
        }
        if (!frame_is(&m, "data") || !zmq_msg_more(&m)) {
            char d[128];
            describe(&m, d, sizeof d);
            fail("published message %zu: expected topic \"data\" +more, got %s", i, d);
        }
        expect_msg(s, A_STREAM(r), i);
    }
    zmq_msg_close(&m);
    expect_text(s, "end", 0, "the end message");
}

static void subscribe(void *s)
{
    const char *topics[] = {"data", "end", "sync"};
    for (int t = 0; t < 3; t++)
        if (zmq_setsockopt(s, ZMQ_SUBSCRIBE, topics[t], strlen(topics[t])) != 0)
            zfail("ZMQ_SUBSCRIBE");
}

static void sub_round(void *s, int r)
{
    expect_text(s, "sync", 0, "the first sync");
    say("sig go");
    receive_published(s, r, 1);
}

/* XPUB (verbose): wait until "data" and "end" are subscribed (duplicates and
 * other (un)subscriptions, as a restarted peer causes, are fine), publish,
 * then wait for the unsubscription of "data" and check nothing more on
 * "data" reaches the subscriber. */
static void xpub_wait_for(void *s, int subscribe_flag, const char *t1, const char *t2)
{
    int seen1 = 0, seen2 = !t2;
    zmq_msg_t m;
    zmq_msg_init(&m);
    while (!(seen1 && seen2)) {
        recv_frame(s, &m, subscribe_flag ? "a subscription" : "an unsubscription");
        const uint8_t *p = zmq_msg_data(&m);
        size_t n = zmq_msg_size(&m);
        if (n == 0 || (p[0] != 0 && p[0] != 1) || zmq_msg_more(&m)) {
            char d[128];
            describe(&m, d, sizeof d);
            fail("XPUB received %s, not a (un)subscription", d);
        }
        if (p[0] == subscribe_flag) {
            if (n - 1 == strlen(t1) && memcmp(p + 1, t1, n - 1) == 0)
                seen1 = 1;
            if (t2 && n - 1 == strlen(t2) && memcmp(p + 1, t2, n - 1) == 0)
                seen2 = 1;
        }
    }
    zmq_msg_close(&m);
}

static void xpub_round(void *s, int r)
{
    stage = "waiting for subscriptions";
    xpub_wait_for(s, 1, "data", "end");
    stage = "publishing";
    for (size_t i = 0; i < set_len; i++) {
        send_msg(s, "skip", A_STREAM(r), i);
        send_msg(s, "data", A_STREAM(r), i);
    }
    send_bytes(s, "end", 3, 0, "send end");
    stage = "waiting for the unsubscription";
    xpub_wait_for(s, 0, "data", NULL);
    stage = "publishing after the unsubscription";
    send_bytes(s, "data", 4, 1, "send data");
    send_bytes(s, "late", 4, 0, "send data");
    send_bytes(s, "end", 3, 0, "send end");
}

static void xsub_round(void *s, int r)
{
    send_bytes(s, "\001data", 5, 0, "subscribe data");
    /* A surviving XSUB still holds "end" from round 1 (it only cancelled
     * "data"): the new publisher must hear it from the reconnect's
     * resend, not from us. */
    if (!(r == 1 && opt.phase == 0))
        send_bytes(s, "\001end", 4, 0, "subscribe end");
    stage = "receiving";
    receive_published(s, r, 0);
    stage = "after the unsubscription";
    send_bytes(s, "\000data", 5, 0, "unsubscribe data");
    expect_text(s, "end", 0, "\"end\" (and nothing on the unsubscribed \"data\")");
}

/* ---- many peers -------------------------------------------------------------- */

static void peer_id(char *buf, size_t cap, int i)
{
    snprintf(buf, cap, "peer-%03d", i);
}

static int parse_peer_id(zmq_msg_t *m)
{
    char buf[16] = {0};
    size_t n = zmq_msg_size(m);
    int i;
    char end;
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, zmq_msg_data(m), n);
    if (sscanf(buf, "peer-%3d%c", &i, &end) != 1 || i < 0 || i >= opt.count)
        return -1;
    return i;
}

/* One ROUTER or PULL against `count` DEALERs or PUSHes: each sender's
 * messages arrive whole and in order, interleaved in any way. */
static void many_collect(void *s, int reply)
{
    int next[MAX_COUNT] = {0};
    zmq_msg_t m;
    zmq_msg_init(&m);
    for (long k = 0; k < (long)opt.count * (long)set_len; k++) {
        recv_frame(s, &m, "a message from one of the peers");
        int i = parse_peer_id(&m);
        if (i < 0 || !zmq_msg_more(&m)) {
            char d[128];
            describe(&m, d, sizeof d);
            fail("expected a peer id frame, got %s", d);
        }
        if ((size_t)next[i] >= set_len)
            fail("peer %d sent more than %zu messages", i, set_len);
        char id[16];
        peer_id(id, sizeof id, i);
        expect_msg(s, 10 + 2 * (uint32_t)i, (size_t)next[i]);
        if (reply)
            send_msg(s, id, 11 + 2 * (uint32_t)i, (size_t)next[i]);
        next[i]++;
    }
    zmq_msg_close(&m);
}

/* ---- ZAP: the server's authenticator (rfc-27) ----------------------------- */

/* libzmq 4.3.5 refuses PLAIN clients when no ZAP handler is bound, so a
 * PLAIN or CURVE server runs one in its process until the context
 * terminates. It lets in the PLAIN users (--allow-plain USER:PASS; User-Id
 * USER) and CURVE client keys (--allow-curve KEY,ID; User-Id ID) it was
 * given, answers 400 to anybody else, and adds one metadata property,
 * X-Interop: zap-metadata, to what it lets in. A request that is not what
 * rfc-27 and the server's options make it (version, domain, mechanism,
 * credentials) fails the peer: that is the server library's fault. */
#define MAX_ALLOW 4
#define ZAP_DOMAIN "interop"
static struct {
    char user[64], password[64];
} allow_plain[MAX_ALLOW];
static struct {
    char key[41];
    const char *id;
} allow_curve[MAX_ALLOW];
static int n_allow_plain, n_allow_curve;

static void add_allow_plain(const char *v)
{
    const char *colon = strchr(v, ':');
    if (n_allow_plain == MAX_ALLOW || !colon || colon - v >= 64 || strlen(colon + 1) >= 64)
        fail("bad --allow-plain \"%s\" (USER:PASS, at most %d)", v, MAX_ALLOW);
    memcpy(allow_plain[n_allow_plain].user, v, (size_t)(colon - v));
    strcpy(allow_plain[n_allow_plain].password, colon + 1);
    n_allow_plain++;
}

static void add_allow_curve(const char *v)
{
    /* ',' is not in the Z85 alphabet */
    if (n_allow_curve == MAX_ALLOW || strlen(v) < 42 || v[40] != ',')
        fail("bad --allow-curve \"%s\" (KEY,ID with a 40-character Z85 key)", v);
    memcpy(allow_curve[n_allow_curve].key, v, 40);
    allow_curve[n_allow_curve].id = v + 41;
    n_allow_curve++;
}

#define ZAP_FRAMES 9
#define ZAP_FRAME_CAP 64

static void zap_reply(void *handler, const char *request_id, size_t id_len, const char *user_id)
{
    /* One metadata property: name length (1 byte), name, value length
     * (4 bytes, network order), value. */
    static const char meta[] = "\011X-Interop\000\000\000\014zap-metadata";
    int ok = user_id != NULL;
    if (zmq_send(handler, "1.0", 3, ZMQ_SNDMORE) < 0
        || zmq_send(handler, request_id, id_len, ZMQ_SNDMORE) < 0
        || zmq_send(handler, ok ? "200" : "400", 3, ZMQ_SNDMORE) < 0
        || zmq_send(handler, ok ? "OK" : "Denied", ok ? 2 : 6, ZMQ_SNDMORE) < 0
        || zmq_send(handler, ok ? user_id : "", ok ? strlen(user_id) : 0, ZMQ_SNDMORE) < 0
        || zmq_send(handler, meta, ok ? sizeof meta - 1 : 0, 0) < 0)
        zfail("send the ZAP reply");
}

static void *zap_handler(void *handler)
{
    const char *mechanism = opt.curve ? "CURVE" : "PLAIN";
    for (;;) {
        char f[ZAP_FRAMES][ZAP_FRAME_CAP + 1];
        size_t sz[ZAP_FRAMES];
        int n = 0, more = 1;
        while (more) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, handler, 0) < 0) {
                zmq_msg_close(&m);
                zmq_close(handler);
                return NULL; /* ETERM */
            }
            more = zmq_msg_more(&m);
            if (n < ZAP_FRAMES) {
                sz[n] = zmq_msg_size(&m);
                size_t k = sz[n] < ZAP_FRAME_CAP ? sz[n] : ZAP_FRAME_CAP;
                memcpy(f[n], zmq_msg_data(&m), k);
                f[n][k] = 0;
            }
            n++;
            zmq_msg_close(&m);
        }
        /* version, request id, domain, address, routing id, mechanism,
         * credentials (PLAIN: username, password; CURVE: the client's
         * 32-byte public key) */
        int want = opt.curve ? 7 : 8;
        if (n != want)
            fail("ZAP request of %d frames, expected %d for %s", n, want, mechanism);
        if (strcmp(f[0], "1.0") != 0)
            fail("ZAP request version \"%s\", expected \"1.0\"", f[0]);
        if (strcmp(f[2], ZAP_DOMAIN) != 0)
            fail("ZAP request domain \"%s\", expected ZMQ_ZAP_DOMAIN \"%s\"", f[2], ZAP_DOMAIN);
        if (strcmp(f[5], mechanism) != 0)
            fail("ZAP request mechanism \"%s\", expected \"%s\"", f[5], mechanism);
        const char *user_id = NULL;
        if (opt.curve) {
            if (sz[6] != 32)
                fail("ZAP CURVE credential of %zu bytes, expected a 32-byte key", sz[6]);
            char key[41];
            if (!zmq_z85_encode(key, (const uint8_t *)f[6], 32))
                zfail("zmq_z85_encode");
            for (int i = 0; i < n_allow_curve && !user_id; i++)
                if (strcmp(key, allow_curve[i].key) == 0)
                    user_id = allow_curve[i].id;
        } else {
            for (int i = 0; i < n_allow_plain && !user_id; i++)
                if (strcmp(f[6], allow_plain[i].user) == 0
                    && strcmp(f[7], allow_plain[i].password) == 0)
                    user_id = allow_plain[i].user;
        }
        zap_reply(handler, f[1], sz[1] < ZAP_FRAME_CAP ? sz[1] : ZAP_FRAME_CAP, user_id);
    }
}

static void start_zap_handler(void)
{
    void *handler = zmq_socket(ctx, ZMQ_REP);
    if (!handler)
        zfail("zmq_socket (ZAP handler)");
    set_opt_int(handler, ZMQ_LINGER, 0, "ZMQ_LINGER");
    if (zmq_bind(handler, "inproc://zeromq.zap.01") != 0)
        zfail("bind the ZAP handler");
    pthread_t t;
    if (pthread_create(&t, NULL, zap_handler, handler) != 0)
        fail("pthread_create");
    pthread_detach(t);
}

static void set_opt_str(void *s, int name, const char *value, const char *what)
{
    if (!value)
        fail("%s: no value given", what);
    if (zmq_setsockopt(s, name, value, strlen(value)) != 0)
        zfail(what);
}

/* The security mechanism: the server starts the ZAP handler (once) and
 * sets its domain; the client gives its credentials. */
static void secure(void *s)
{
    const char *role = opt.plain ? opt.plain : opt.curve;
    if (!role)
        return;
    int server = strcmp(role, "server") == 0;
    if (!server && strcmp(role, "client") != 0)
        fail("--plain/--curve take server or client, not \"%s\"", role);
    if (server) {
        static int zap_started;
        if (!zap_started++)
            start_zap_handler();
        set_opt_str(s, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, "ZMQ_ZAP_DOMAIN");
    }
    if (opt.plain && server) {
        set_opt_int(s, ZMQ_PLAIN_SERVER, 1, "ZMQ_PLAIN_SERVER");
    } else if (opt.plain) {
        set_opt_str(s, ZMQ_PLAIN_USERNAME, opt.plain_user, "ZMQ_PLAIN_USERNAME");
        set_opt_str(s, ZMQ_PLAIN_PASSWORD, opt.plain_password, "ZMQ_PLAIN_PASSWORD");
    } else {
        set_opt_str(s, ZMQ_CURVE_PUBLICKEY, opt.curve_public, "ZMQ_CURVE_PUBLICKEY");
        set_opt_str(s, ZMQ_CURVE_SECRETKEY, opt.curve_secret, "ZMQ_CURVE_SECRETKEY");
        if (server)
            set_opt_int(s, ZMQ_CURVE_SERVER, 1, "ZMQ_CURVE_SERVER");
        else
            set_opt_str(s, ZMQ_CURVE_SERVERKEY, opt.curve_server_key, "ZMQ_CURVE_SERVERKEY");
    }
}

/* wss options are draft API; this file uses the stable header only. */
#ifndef ZMQ_WSS_KEY_PEM
#define ZMQ_WSS_KEY_PEM 103
#define ZMQ_WSS_CERT_PEM 104
#define ZMQ_WSS_TRUST_PEM 105
#define ZMQ_WSS_HOSTNAME 106
#endif
/* The name in the test certificate (upstream's test_wss_transport one). */
#define WSS_HOSTNAME "zeromq.org"

static void set_opt_file(void *s, int option, const char *path, const char *what)
{
    static char buf[16384];
    FILE *f = fopen(path, "rb");
    if (!f)
        fail("open %s: %s", path, strerror(errno));
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (zmq_setsockopt(s, option, buf, n) != 0)
        zfail(what);
}

/* wss: the binder serves the certificate, the connecter trusts it. */
static void wss(void *s, const char *endpoint)
{
    if (strncmp(endpoint, "wss://", 6) != 0)
        return;
    if (!opt.wss_cert || !opt.wss_key)
        fail("a wss endpoint needs --wss-cert and --wss-key");
    if (opt.bind_ep) {
        set_opt_file(s, ZMQ_WSS_CERT_PEM, opt.wss_cert, "ZMQ_WSS_CERT_PEM");
        set_opt_file(s, ZMQ_WSS_KEY_PEM, opt.wss_key, "ZMQ_WSS_KEY_PEM");
    } else {
        set_opt_file(s, ZMQ_WSS_TRUST_PEM, opt.wss_cert, "ZMQ_WSS_TRUST_PEM");
        set_opt_str(s, ZMQ_WSS_HOSTNAME, WSS_HOSTNAME, "ZMQ_WSS_HOSTNAME");
    }
}

/* ---- setup --------------------------------------------------------------- */

static int socket_type(void)
{
    static const struct {
        const char *pattern;
        int a, b;
    } types[] = {
        {"pair", ZMQ_PAIR, ZMQ_PAIR},       {"reqrep", ZMQ_REQ, ZMQ_REP},
        {"dealer-router", ZMQ_DEALER, ZMQ_ROUTER}, {"pubsub", ZMQ_PUB, ZMQ_SUB},
        {"xpubxsub", ZMQ_XPUB, ZMQ_XSUB},   {"pushpull", ZMQ_PUSH, ZMQ_PULL},
        {"req-router", ZMQ_REQ, ZMQ_ROUTER}, {"dealer-rep", ZMQ_DEALER, ZMQ_REP},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].pattern, opt.pattern) == 0)
            return opt.side == 'a' ? types[i].a : types[i].b;
    fail("unknown pattern \"%s\"", opt.pattern);
    return -1;
}

static int is(const char *pattern, char side)
{
    return strcmp(opt.pattern, pattern) == 0 && opt.side == side;
}

static void *open_socket(int type, const char *routing_id, const char *endpoint)
{
    void *s = zmq_socket(ctx, type);
    if (!s)
        zfail("zmq_socket");
    set_opt_int(s, ZMQ_RCVTIMEO, opt.timeout_ms, "ZMQ_RCVTIMEO");
    set_opt_int(s, ZMQ_SNDTIMEO, opt.timeout_ms, "ZMQ_SNDTIMEO");
    set_opt_int(s, ZMQ_LINGER, opt.timeout_ms, "ZMQ_LINGER");
    if (routing_id && zmq_setsockopt(s, ZMQ_ROUTING_ID, routing_id, strlen(routing_id)) != 0)
        zfail("ZMQ_ROUTING_ID");
    if (type == ZMQ_ROUTER)
        set_opt_int(s, ZMQ_ROUTER_MANDATORY, 1, "ZMQ_ROUTER_MANDATORY");
    if (type == ZMQ_XPUB)
        set_opt_int(s, ZMQ_XPUB_VERBOSE, 1, "ZMQ_XPUB_VERBOSE");
    if (type == ZMQ_SUB)
        subscribe(s);
    if (opt.scenario[0] == 'r' && opt.phase == 0)
        start_monitor(s, ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED);
    if (strcmp(opt.scenario, "deny") == 0)
        start_monitor(s, ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                             | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                             | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    secure(s);
    wss(s, opt.bind_ep ? opt.bind_ep : endpoint);
    if (opt.bind_ep) {
        if (zmq_bind(s, opt.bind_ep) != 0)
            zfail("zmq_bind");
        char ep[256];
        size_t len = sizeof ep;
        if (zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len) != 0)
            zfail("ZMQ_LAST_ENDPOINT");
        say("endpoint %s", ep);
    } else if (zmq_connect(s, endpoint) != 0) {
        zfail("zmq_connect");
    }
    return s;
}

static void round_for(void *s, int r)
{
    char what[32];
    snprintf(what, sizeof what, "round %d", r + 1);
    stage = what;
    if (is("pair", 'a') || is("reqrep", 'a') || is("dealer-router", 'a') || is("req-router", 'a'))
        ask_each(s, r);
    else if (is("pair", 'b') || is("reqrep", 'b') || is("dealer-rep", 'b'))
        answer_each(s, r);
    else if (is("dealer-router", 'b'))
        route_each(s, r);
    else if (is("req-router", 'b'))
        route_req_each(s, r);
    else if (is("dealer-rep", 'a'))
        ask_rep_each(s, r);
    else if (is("pushpull", 'a'))
        push_all(s, r);
    else if (is("pushpull", 'b'))
        pull_all(s, r);
    else if (is("pubsub", 'a'))
        publish(s, r);
    else if (is("pubsub", 'b'))
        sub_round(s, r);
    else if (is("xpubxsub", 'a'))
        xpub_round(s, r);
    else
        xsub_round(s, r);
    stage = "closing";
}

/* Patterns whose side speaks first: before round 2 they wait for the new
 * peer (the others wait for its messages, or, PUB, for its signal). */
static int speaks_first(void)
{
    return is("pair", 'a') || is("reqrep", 'a') || is("dealer-router", 'a') || is("pushpull", 'a');
}

static void close_socket(void *s)
{
    if (last_was_recv)
        set_opt_int(s, ZMQ_LINGER, 0, "ZMQ_LINGER");
    if (zmq_close(s) != 0)
        zfail("zmq_close");
}

static void run_many(int type)
{
    void *socks[MAX_COUNT];
    int multi = is("dealer-router", 'a') || is("pushpull", 'a') || is("pubsub", 'b');
    if (!multi) {
        void *s = open_socket(type, NULL, opt.connect_ep);
        stage = "many: the single socket";
        if (is("dealer-router", 'b'))
            many_collect(s, 1);
        else if (is("pushpull", 'b'))
            many_collect(s, 0);
        else if (is("pubsub", 'a'))
            publish(s, 0);
        else
            fail("no many-peer scenario for this pattern");
        close_socket(s);
        return;
    }
    if (opt.bind_ep)
        fail("the %d sockets of a many-peer scenario connect", opt.count);
    stage = "many: opening sockets";
    for (int i = 0; i < opt.count; i++) {
        char id[16];
        peer_id(id, sizeof id, i);
        socks[i] = open_socket(type, id, opt.connect_ep);
    }
    if (is("pubsub", 'b')) {
        stage = "many: waiting for the first sync on every SUB";
        for (int i = 0; i < opt.count; i++)
            expect_text(socks[i], "sync", 0, "the first sync");
        say("sig go");
        stage = "many: receiving";
        for (int i = 0; i < opt.count; i++)
            receive_published(socks[i], 0, 1);
    } else {
        /* Interleave the senders: message i of every peer, then i+1. */
        stage = "many: sending";
        for (size_t k = 0; k < set_len; k++)
            for (int i = 0; i < opt.count; i++) {
                char id[16];
                peer_id(id, sizeof id, i);
                send_msg(socks[i], is("pushpull", 'a') ? id : NULL, 10 + 2 * (uint32_t)i, k);
            }
        if (is("dealer-router", 'a')) {
            stage = "many: receiving the replies";
            for (int i = 0; i < opt.count; i++)
                for (size_t k = 0; k < set_len; k++)
                    expect_msg(socks[i], 11 + 2 * (uint32_t)i, k);
        }
    }
    stage = "closing";
    for (int i = 0; i < opt.count; i++)
        close_socket(socks[i]);
}

/* deny: the handshake fails (wrong PLAIN password, a CURVE client key the
 * handler refuses with 400, a wrong CURVE server key). The server waits for
 * its first handshake event, tells the client ("sig seen") and checks that
 * no message gets through; the client sends one message into the refused
 * connection, waits for the event it should see (--await-event) and the
 * server's word, and receives nothing either. Every handshake event goes
 * to the driver ("event NAME VALUE"), which compares them with libzmq's. */
#define DENY_QUIET_MS 300

static void expect_nothing(void *s)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    set_opt_int(s, ZMQ_RCVTIMEO, DENY_QUIET_MS, "ZMQ_RCVTIMEO");
    last_was_recv = 1;
    if (zmq_msg_recv(&m, s, 0) >= 0) {
        char d[128];
        describe(&m, d, sizeof d);
        fail("a message got through the failed handshake: %s", d);
    }
    if (zmq_errno() != EAGAIN)
        zfail("zmq_msg_recv");
    zmq_msg_close(&m);
}

static void run_deny(int type)
{
    const char *id = is("dealer-router", 'a') ? "dealer-0" : NULL;
    void *s = open_socket(type, id, opt.connect_ep);
    set_opt_int(s, ZMQ_LINGER, 0, "ZMQ_LINGER");
    double deadline = now_ms() + opt.timeout_ms;
    if (opt.bind_ep) {
        stage = "waiting for the handshake's end";
        while (!handshake_results) {
            if (now_ms() > deadline)
                fail("timed out after %d ms: no handshake event on the server", opt.timeout_ms);
            drain_monitor(10);
        }
        say("sig seen");
        stage = "checking that nothing gets through";
        expect_nothing(s);
    } else {
        if (type == ZMQ_DEALER || type == ZMQ_PUSH || type == ZMQ_REQ) {
            stage = "sending into the refused connection";
            /* The refusal may have ended the connection, and with it the
               socket's pipe, before this send (both libraries end a
               connecting session on a handshake error): no pipe, EAGAIN,
               is fine. What counts is that nothing gets through. */
            if (zmq_send(s, "x", 1, ZMQ_DONTWAIT) < 0 && zmq_errno() != EAGAIN)
                zfail("zmq_send");
        }
        stage = opt.await_event ? "waiting for the awaited event and the server's word"
                                : "waiting for the server's word";
        zmq_pollitem_t items[2] = {{monitor, 0, ZMQ_POLLIN, 0}, {NULL, 0, ZMQ_POLLIN, 0}};
        int told = 0;
        while (!told || (opt.await_event && !awaited_seen)) {
            if (now_ms() > deadline)
                fail("timed out after %d ms: %s", opt.timeout_ms,
                     !told ? "the server never saw the handshake end" : "the awaited event never came");
            if (zmq_poll(items, told ? 1 : 2, 10) < 0)
                zfail("zmq_poll");
            if (!told && (items[1].revents & ZMQ_POLLIN)) {
                expect_signal("seen");
                told = 1;
            }
            drain_monitor(0);
        }
        stage = "checking that nothing gets through";
        expect_nothing(s);
    }
    drain_monitor(0);
    stage = "closing";
    if (zmq_close(s) != 0)
        zfail("zmq_close");
}

static void usage(void)
{
    fprintf(stderr, "usage: peer --pattern P --side a|b (--bind EP | --connect EP) "
                    "[--scenario basic|restart|many] [--phase 0|1|2] [--count N] "
                    "[--big] [--timeout-ms MS] [--plain server|client] "
                    "[--curve server|client] [--plain-user U] [--plain-password P] "
                    "[--curve-public Z85] [--curve-secret Z85] [--curve-server-key Z85] "
                    "[--allow-plain USER:PASS]... [--allow-curve Z85,ID]... "
                    "[--user-id ID | --no-user-id] [--await-event NAME] "
                    "[--wss-cert PEM --wss-key PEM]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--big") == 0) {
            opt.big = 1;
            continue;
        }
        if (strcmp(a, "--no-user-id") == 0) {
            opt.no_user_id = 1;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (strcmp(a, "--pattern") == 0)
            opt.pattern = v;
        else if (strcmp(a, "--side") == 0)
            opt.side = v[0];
        else if (strcmp(a, "--bind") == 0)
            opt.bind_ep = v;
        else if (strcmp(a, "--connect") == 0)
            opt.connect_ep = v;
        else if (strcmp(a, "--scenario") == 0)
            opt.scenario = v;
        else if (strcmp(a, "--phase") == 0)
            opt.phase = atoi(v);
        else if (strcmp(a, "--count") == 0)
            opt.count = atoi(v);
        else if (strcmp(a, "--timeout-ms") == 0)
            opt.timeout_ms = atoi(v);
        else if (strcmp(a, "--plain") == 0)
            opt.plain = v;
        else if (strcmp(a, "--curve") == 0)
            opt.curve = v;
        else if (strcmp(a, "--plain-user") == 0)
            opt.plain_user = v;
        else if (strcmp(a, "--plain-password") == 0)
            opt.plain_password = v;
        else if (strcmp(a, "--curve-public") == 0)
            opt.curve_public = v;
        else if (strcmp(a, "--curve-secret") == 0)
            opt.curve_secret = v;
        else if (strcmp(a, "--curve-server-key") == 0)
            opt.curve_server_key = v;
        else if (strcmp(a, "--allow-plain") == 0)
            add_allow_plain(v);
        else if (strcmp(a, "--allow-curve") == 0)
            add_allow_curve(v);
        else if (strcmp(a, "--user-id") == 0)
            opt.user_id = v;
        else if (strcmp(a, "--await-event") == 0)
            opt.await_event = v;
        else if (strcmp(a, "--wss-cert") == 0)
            opt.wss_cert = v;
        else if (strcmp(a, "--wss-key") == 0)
            opt.wss_key = v;
        else
            usage();
    }
    if (!opt.pattern || (opt.side != 'a' && opt.side != 'b') || !opt.bind_ep == !opt.connect_ep
        || opt.count < 1 || opt.count > MAX_COUNT || opt.timeout_ms < 1
        || (opt.plain && opt.curve) || (opt.user_id && opt.no_user_id))
        usage();

    Dl_info info;
    if (dladdr((void *)zmq_version, &info) && info.dli_fname)
        say("lib %s", info.dli_fname);
    else
        say("lib ?");

    int is_basic = strcmp(opt.scenario, "basic") == 0;
    set = is_basic ? FULL_SET : SMALL_SET;
    set_len = is_basic ? FULL_LEN - (opt.big ? 0 : 1) : SMALL_LEN;

    ctx = zmq_ctx_new();
    if (!ctx)
        zfail("zmq_ctx_new");
    int type = socket_type();

    if (strcmp(opt.scenario, "many") == 0) {
        run_many(type);
    } else if (strcmp(opt.scenario, "deny") == 0) {
        run_deny(type);
    } else if (is_basic || strcmp(opt.scenario, "plain") == 0
               || strcmp(opt.scenario, "curve") == 0) {
        const char *id = is("dealer-router", 'a') ? "dealer-0" : NULL;
        void *s = open_socket(type, id, opt.connect_ep);
        round_for(s, 0);
        close_socket(s);
    } else if (strcmp(opt.scenario, "restart") == 0) {
        const char *id = is("dealer-router", 'a') ? "dealer-0" : NULL;
        void *s = open_socket(type, id, opt.connect_ep);
        if (opt.phase != 2)
            round_for(s, 0);
        if (opt.phase == 1) {
            say("phase1-done");
            char line[64];
            stage = "waiting to be killed";
            read_line(line, sizeof line);
            fail("not killed after round 1 (driver said \"%s\")", line);
        }
        if (opt.phase == 0) {
            /* libzmq's ws engine reports HANDSHAKE_SUCCEEDED twice per
             * connection: at the HTTP upgrade and after the ZMTP one. */
            const char *ep = opt.bind_ep ? opt.bind_ep : opt.connect_ep;
            int per_connection =
                strncmp(ep, "ws://", 5) == 0 || strncmp(ep, "wss://", 6) == 0 ? 2 : 1;
            say("phase1-done");
            stage = "waiting for the peer to go";
            wait_for_events(s, 1, per_connection);
            say("peer-gone");
            /* A sender waits for the new peer: what it sent before that
             * would queue for it or block, but a message taken by a
             * connection that is dying is lost, in libzmq too. */
            stage = "waiting for the restarted peer";
            if (speaks_first())
                wait_for_events(s, 1, 2 * per_connection);
        }
        round_for(s, 1);
        close_socket(s);
    } else {
        usage();
    }
    if (monitor)
        zmq_close(monitor);
    stage = "zmq_ctx_term";
    if (zmq_ctx_term(ctx) != 0)
        zfail("zmq_ctx_term");
    say("ok %lu %lu", checked_msgs, checked_bytes);
    return 0;
}
