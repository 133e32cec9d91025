/* One side of the differential test: a batch of bound sockets, one per
 * case, each waiting for a raw tcp connection from the driver (run.py),
 * which sends it a byte stream. Built twice, against our libzmq and against
 * the reference libzmq 4.3.5; the driver compares what each delivers.
 *
 * Protocol on stdin/stdout (one line each):
 *   driver -> peer:  SOCK <idx> <TYPE> <MECH> <MAXMSGSIZE> [<port> [noreconnect]]
 *                    GO
 *   peer -> driver:  PORT <idx> <port>                        (per socket)
 *                    READY
 *   driver -> peer:  DUMP   (after the driver saw every connection settle)
 *   peer -> driver:  MSG <idx> <frame>[.<frame>...]          (per message)
 *                    EVT <idx> <event> <value>               (per event)
 *                    END
 * A frame is its bytes in hex, "-" when empty. TYPE is a zmq socket type
 * name; MECH is NULL, NULLZAP (NULL with a ZAP domain, so ZAP runs and
 * legacy peers are refused), NULLDENY (the same with the domain "deny",
 * which the handler refuses), PLAIN (server) or CURVE (server). With a port
 * the socket connects to the driver's listener there instead (a client:
 * PLAIN and CURVE with the client's credentials; ZMQ_RECONNECT_IVL -1 with
 * `noreconnect`) and sends "hello" at once if its type sends. A ZAP handler
 * in the same poll loop admits PLAIN admin/secret and the CURVE client key
 * below, and every NULL peer. REP answers each request with "R", so its
 * reply is part of what the driver reads back. A DISH's message gets its
 * group as a first token "g=<hex>" (a SERVER's routing id is generated,
 * so not shown).
 *
 * `CURVECLIENT <port>` (before GO) instead connects a CURVE client DEALER
 * to 127.0.0.1:<port>: the driver records its greeting and HELLO for the
 * corpus (run.py --capture-curve-hello).
 *
 * Each socket's handshake events (SUCCEEDED, FAILED_NO_DETAIL, _PROTOCOL,
 * _AUTH, with their values) come from a monitor, in order.
 *
 * Everything runs in one thread: zmq_poll over the sockets, their
 * monitors, the ZAP handler and stdin. */
/* SERVER, CLIENT, DISH, GATHER, SCATTER, CHANNEL: both libraries are
 * built with the draft API. */
#define ZMQ_BUILD_DRAFT_API
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <zmq.h>

#define MAX_SOCKETS 600
#define HANDSHAKE_EVENTS                                                                  \
    (ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL                 \
     | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
#define LINE_CAP 256

/* The CURVE keys of libzmq's doc/zmq_curve.txt (the interop suite's). */
#define SERVER_SECRET "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
#define SERVER_PUBLIC "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
#define CLIENT_PUBLIC "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
#define CLIENT_SECRET "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"

typedef struct {
    char *buf;
    size_t len, cap;
} text_t;

static void *ctx;
static void *socks[MAX_SOCKETS];
static int types[MAX_SOCKETS];
static int n_socks;
/* Each socket's monitor (a PAIR). */
static void *monitors[MAX_SOCKETS];
/* What each socket received, as the MSG lines, printed at DUMP. */
static text_t logs[MAX_SOCKETS];

static void fail(const char *what)
{
    fprintf(stderr, "peer: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(2);
}

static void append(text_t *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->buf = realloc(t->buf, t->cap);
        if (!t->buf)
            exit(3);
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = 0;
}

static void append_hex(text_t *t, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    if (n == 0) {
        append(t, "-", 1);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char two[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
        append(t, two, 2);
    }
}

static int type_of(const char *name)
{
    static const struct {
        const char *name;
        int type;
    } names[] = {{"PAIR", ZMQ_PAIR},     {"PUB", ZMQ_PUB},       {"SUB", ZMQ_SUB},
                 {"REQ", ZMQ_REQ},       {"REP", ZMQ_REP},       {"DEALER", ZMQ_DEALER},
                 {"ROUTER", ZMQ_ROUTER}, {"PULL", ZMQ_PULL},     {"PUSH", ZMQ_PUSH},
                 {"XPUB", ZMQ_XPUB},     {"XSUB", ZMQ_XSUB},     {"SERVER", ZMQ_SERVER},
                 {"CLIENT", ZMQ_CLIENT}, {"DISH", ZMQ_DISH},     {"GATHER", ZMQ_GATHER},
                 {"SCATTER", ZMQ_SCATTER}, {"CHANNEL", ZMQ_CHANNEL}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0)
            return names[i].type;
    fprintf(stderr, "peer: unknown socket type %s\n", name);
    exit(2);
}

static void set_int(void *s, int option, int value)
{
    if (zmq_setsockopt(s, option, &value, sizeof value) != 0)
        fail("zmq_setsockopt");
}

static void set_str(void *s, int option, const char *value)
{
    if (zmq_setsockopt(s, option, value, strlen(value)) != 0)
        fail("zmq_setsockopt");
}

static void watch(int idx, void *s)
{
    char addr[64];
    snprintf(addr, sizeof addr, "inproc://diff-monitor-%d", idx);
    if (zmq_socket_monitor(s, addr, HANDSHAKE_EVENTS) != 0)
        fail("zmq_socket_monitor");
    void *m = zmq_socket(ctx, ZMQ_PAIR);
    if (!m)
        fail("zmq_socket (monitor)");
    set_int(m, ZMQ_LINGER, 0);
    if (zmq_connect(m, addr) != 0)
        fail("connect the monitor");
    monitors[idx] = m;
}

/* The events waiting on socket idx's monitor, into its log. */
static void drain_events(int idx)
{
    for (;;) {
        zmq_msg_t head, endpoint;
        zmq_msg_init(&head);
        if (zmq_msg_recv(&head, monitors[idx], ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&head);
            if (zmq_errno() == EAGAIN)
                return;
            fail("monitor recv");
        }
        zmq_msg_init(&endpoint);
        if (zmq_msg_recv(&endpoint, monitors[idx], 0) < 0)
            fail("monitor recv");
        const unsigned char *d = zmq_msg_data(&head);
        uint16_t event;
        uint32_t value;
        memcpy(&event, d, 2);
        memcpy(&value, d + 2, 4);
        char line[64];
        int n = snprintf(line, sizeof line, "EVT %d %u %u\n", idx, event, value);
        append(&logs[idx], line, (size_t)n);
        zmq_msg_close(&head);
        zmq_msg_close(&endpoint);
    }
}

/* A client: its credentials, a connect without reconnects, and a first
 * message queued where the type sends. */
static void connect_socket(void *s, int type, const char *mech, int port, int reconnect)
{
    if (strcmp(mech, "PLAIN") == 0) {
        set_str(s, ZMQ_PLAIN_USERNAME, "admin");
        set_str(s, ZMQ_PLAIN_PASSWORD, "secret");
    } else if (strcmp(mech, "CURVE") == 0) {
        set_str(s, ZMQ_CURVE_SERVERKEY, SERVER_PUBLIC);
        set_str(s, ZMQ_CURVE_PUBLICKEY, CLIENT_PUBLIC);
        set_str(s, ZMQ_CURVE_SECRETKEY, CLIENT_SECRET);
    } else if (strcmp(mech, "NULL") != 0) {
        fprintf(stderr, "peer: no client for mechanism %s\n", mech);
        exit(2);
    }
    if (!reconnect)
        set_int(s, ZMQ_RECONNECT_IVL, -1);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    if (zmq_connect(s, endpoint) != 0)
        fail("zmq_connect");
    if (type == ZMQ_DEALER || type == ZMQ_REQ || type == ZMQ_PUSH || type == ZMQ_PAIR
        || type == ZMQ_CLIENT || type == ZMQ_SCATTER || type == ZMQ_CHANNEL)
        if (zmq_send(s, "hello", 5, ZMQ_DONTWAIT) != 5)
            fail("send hello");
}

/* Creates socket idx, binds it to a fresh loopback port and prints it. */
static void open_socket(int idx, const char *type_name, const char *mech, long long maxmsgsize,
                        int port, int reconnect)
{
    if (idx != n_socks || idx >= MAX_SOCKETS) {
        fprintf(stderr, "peer: socket %d out of order\n", idx);
        exit(2);
    }
    int type = type_of(type_name);
    void *s = zmq_socket(ctx, type);
    if (!s)
        fail("zmq_socket");
    set_int(s, ZMQ_LINGER, 0);
    int64_t max = maxmsgsize;
    if (zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max, sizeof max) != 0)
        fail("ZMQ_MAXMSGSIZE");
    if (type == ZMQ_SUB)
        set_str(s, ZMQ_SUBSCRIBE, "");
    if (type == ZMQ_DISH && zmq_join(s, "news") != 0)
        fail("zmq_join");
    watch(idx, s);
    if (port) {
        connect_socket(s, type, mech, port, reconnect);
        printf("PORT %d %d\n", idx, port);
        socks[n_socks] = s;
        types[n_socks++] = type;
        return;
    }
    if (strcmp(mech, "NULLZAP") == 0) {
        set_str(s, ZMQ_ZAP_DOMAIN, "diff");
    } else if (strcmp(mech, "NULLDENY") == 0) {
        set_str(s, ZMQ_ZAP_DOMAIN, "deny");
    } else if (strcmp(mech, "PLAIN") == 0) {
        set_int(s, ZMQ_PLAIN_SERVER, 1);
        set_str(s, ZMQ_ZAP_DOMAIN, "diff");
    } else if (strcmp(mech, "CURVE") == 0) {
        set_int(s, ZMQ_CURVE_SERVER, 1);
        set_str(s, ZMQ_CURVE_SECRETKEY, SERVER_SECRET);
        set_str(s, ZMQ_ZAP_DOMAIN, "diff");
    } else if (strcmp(mech, "NULL") != 0) {
        fprintf(stderr, "peer: unknown mechanism %s\n", mech);
        exit(2);
    }
    if (zmq_bind(s, "tcp://127.0.0.1:*") != 0)
        fail("zmq_bind");
    char endpoint[LINE_CAP];
    size_t len = sizeof endpoint;
    if (zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &len) != 0)
        fail("ZMQ_LAST_ENDPOINT");
    const char *bound = strrchr(endpoint, ':');
    printf("PORT %d %s\n", idx, bound ? bound + 1 : "?");
    socks[n_socks] = s;
    types[n_socks++] = type;
}

/* Receives every message waiting on socket idx into its log. */
/* Sockets zmq_poll cannot take (libzmq refuses thread-safe ones there);
 * the loop tries them every 10 ms instead. */
static int thread_safe(int type)
{
    return type == ZMQ_SERVER || type == ZMQ_CLIENT || type == ZMQ_DISH || type == ZMQ_GATHER
           || type == ZMQ_SCATTER || type == ZMQ_CHANNEL;
}

static void drain(int idx)
{
    void *s = socks[idx];
    if (types[idx] == ZMQ_PUSH || types[idx] == ZMQ_SCATTER)
        return; /* cannot receive */
    for (;;) {
        text_t line = {0};
        char head[32];
        int n = snprintf(head, sizeof head, "MSG %d ", idx);
        append(&line, head, (size_t)n);
        int more = 1, frames = 0;
        while (more) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, s, frames ? 0 : ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&m);
                /* EFSM: a REQ that has its reply and sends nothing more. */
                if (frames == 0 && (zmq_errno() == EAGAIN || zmq_errno() == EFSM)) {
                    free(line.buf);
                    return;
                }
                fail("zmq_msg_recv");
            }
            if (frames == 0 && types[idx] == ZMQ_DISH) {
                const char *g = zmq_msg_group(&m);
                append(&line, "g=", 2);
                append_hex(&line, (const unsigned char *)g, strlen(g));
                append(&line, ".", 1);
            }
            if (frames++)
                append(&line, ".", 1);
            append_hex(&line, zmq_msg_data(&m), zmq_msg_size(&m));
            more = zmq_msg_more(&m);
            zmq_msg_close(&m);
        }
        append(&line, "\n", 1);
        append(&logs[idx], line.buf, line.len);
        free(line.buf);
        if (types[idx] == ZMQ_REP && zmq_send(s, "R", 1, 0) != 1)
            fail("REP reply");
    }
}

/* One ZAP request: 200 for PLAIN admin/secret, the known CURVE client key
 * and NULL, 400 for anything else and for the domain "deny". */
static void zap_answer(void *handler)
{
    zmq_msg_t f[8];
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, handler, 0) < 0)
            fail("ZAP recv");
        more = zmq_msg_more(&m);
        if (n < 8)
            f[n++] = m;
        else
            zmq_msg_close(&m);
    }
    int ok = 0;
    /* version, request id, domain, address, identity, mechanism,
     * credentials (none for NULL) */
    int denied = n >= 3 && zmq_msg_size(&f[2]) == 4 && memcmp(zmq_msg_data(&f[2]), "deny", 4) == 0;
    if (n >= 6 && !denied) {
        const char *mech = zmq_msg_data(&f[5]);
        size_t mech_len = zmq_msg_size(&f[5]);
        if (mech_len == 4 && memcmp(mech, "NULL", 4) == 0)
            ok = 1;
        else if (mech_len == 5 && memcmp(mech, "PLAIN", 5) == 0 && n == 8)
            ok = zmq_msg_size(&f[6]) == 5 && memcmp(zmq_msg_data(&f[6]), "admin", 5) == 0
                 && zmq_msg_size(&f[7]) == 6 && memcmp(zmq_msg_data(&f[7]), "secret", 6) == 0;
        else if (mech_len == 5 && memcmp(mech, "CURVE", 5) == 0 && zmq_msg_size(&f[6]) == 32) {
            char key[41];
            ok = zmq_z85_encode(key, zmq_msg_data(&f[6]), 32) && strcmp(key, CLIENT_PUBLIC) == 0;
        }
    }
    const char *code = ok ? "200" : "400";
    if (zmq_send(handler, "1.0", 3, ZMQ_SNDMORE) < 0
        || zmq_send(handler, n > 1 ? zmq_msg_data(&f[1]) : "", n > 1 ? zmq_msg_size(&f[1]) : 0,
                    ZMQ_SNDMORE)
             < 0
        || zmq_send(handler, code, 3, ZMQ_SNDMORE) < 0
        || zmq_send(handler, ok ? "OK" : "Denied", ok ? 2 : 6, ZMQ_SNDMORE) < 0
        || zmq_send(handler, ok ? "user" : "", ok ? 4 : 0, ZMQ_SNDMORE) < 0
        || zmq_send(handler, "", 0, 0) < 0)
        fail("ZAP send");
    for (int i = 0; i < n; i++)
        zmq_msg_close(&f[i]);
}

/* A CURVE client with the test keys, for capturing its HELLO. */
static void *client;

static void curve_client(int port)
{
    void *s = client = zmq_socket(ctx, ZMQ_DEALER);
    if (!s)
        fail("zmq_socket");
    set_int(s, ZMQ_LINGER, 0);
    set_str(s, ZMQ_CURVE_SERVERKEY, SERVER_PUBLIC);
    set_str(s, ZMQ_CURVE_PUBLICKEY, CLIENT_PUBLIC);
    set_str(s, ZMQ_CURVE_SECRETKEY, CLIENT_SECRET);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    if (zmq_connect(s, endpoint) != 0)
        fail("zmq_connect");
}

static void chomp(char *line)
{
    line[strcspn(line, "\r\n")] = 0;
}

int main(void)
{
    /* Each case holds a listener, a connection and a mailbox. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    setvbuf(stdin, NULL, _IONBF, 0);
    ctx = zmq_ctx_new();
    if (!ctx || zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 3 * MAX_SOCKETS + 8) != 0)
        fail("zmq_ctx_new");
    void *zap = zmq_socket(ctx, ZMQ_REP);
    if (!zap)
        fail("zmq_socket (ZAP)");
    set_int(zap, ZMQ_LINGER, 0);
    if (zmq_bind(zap, "inproc://zeromq.zap.01") != 0)
        fail("bind the ZAP handler");

    char line[LINE_CAP];
    while (fgets(line, sizeof line, stdin)) {
        chomp(line);
        if (strcmp(line, "GO") == 0)
            break;
        int idx, port = 0;
        char type[32], mech[32];
        if (sscanf(line, "CURVECLIENT %d", &port) == 1) {
            curve_client(port);
            continue;
        }
        long long max;
        char flag[32] = "";
        if (sscanf(line, "SOCK %d %31s %31s %lld %d %31s", &idx, type, mech, &max, &port, flag)
            < 4) {
            fprintf(stderr, "peer: bad line \"%s\"\n", line);
            return 2;
        }
        open_socket(idx, type, mech, max, port, strcmp(flag, "noreconnect") != 0);
    }
    printf("READY\n");
    fflush(stdout);

    /* Sockets, the ZAP handler, stdin. */
    /* Sockets, their monitors, the ZAP handler, stdin. */
    static zmq_pollitem_t items[2 * MAX_SOCKETS + 2];
    for (int i = 0; i < n_socks; i++) {
        /* A socket zmq_poll must not see holds its place with its
         * monitor, asking for nothing. */
        int polled = types[i] != ZMQ_PUSH && !thread_safe(types[i]);
        items[i] = (zmq_pollitem_t){polled ? socks[i] : monitors[i], 0, polled ? ZMQ_POLLIN : 0, 0};
        items[n_socks + i] = (zmq_pollitem_t){monitors[i], 0, ZMQ_POLLIN, 0};
    }
    const int zap_at = 2 * n_socks, stdin_at = zap_at + 1;
    items[zap_at] = (zmq_pollitem_t){zap, 0, ZMQ_POLLIN, 0};
    items[stdin_at] = (zmq_pollitem_t){NULL, 0, ZMQ_POLLIN, 0};
    /* stdin is read with read(2) below, one byte at a time, so that no
     * buffered line hides behind poll. */
    text_t cmd = {0};
    for (;;) {
        int any_thread_safe = 0;
        for (int i = 0; i < n_socks; i++)
            any_thread_safe |= thread_safe(types[i]);
        if (zmq_poll(items, stdin_at + 1, any_thread_safe ? 10 : 1000) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            fail("zmq_poll");
        }
        for (int i = 0; i < n_socks; i++) {
            if ((items[i].revents & ZMQ_POLLIN) || thread_safe(types[i]))
                drain(i);
            if (items[n_socks + i].revents & ZMQ_POLLIN)
                drain_events(i);
        }
        if (items[zap_at].revents & ZMQ_POLLIN)
            zap_answer(zap);
        if (items[stdin_at].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) {
            char c;
            ssize_t r = read(0, &c, 1);
            if (r <= 0)
                return 1; /* the driver went away */
            if (c != '\n') {
                append(&cmd, &c, 1);
                continue;
            }
            if (cmd.buf && strcmp(cmd.buf, "DUMP") == 0)
                break;
            cmd.len = 0;
        }
    }
    /* Whatever is still queued counts too. */
    for (int i = 0; i < n_socks; i++) {
        drain(i);
        drain_events(i);
        if (logs[i].len)
            fputs(logs[i].buf, stdout);
    }
    printf("END\n");
    fflush(stdout);
    for (int i = 0; i < n_socks; i++) {
        zmq_socket_monitor(socks[i], NULL, 0);
        zmq_close(monitors[i]);
        zmq_close(socks[i]);
    }
    if (client)
        zmq_close(client);
    zmq_close(zap);
    zmq_ctx_term(ctx);
    return 0;
}
