/* The plumbing of peer.c: options, message sets and contents, sending,
 * receiving with byte-exact checks, the driver's control channel and the
 * monitor. One translation unit (peer.c includes this once), so the
 * functions are static. */
#ifndef INTEROP_PEER_IO_H
#define INTEROP_PEER_IO_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#define MIB ((size_t)1024 * 1024)
#define MAX_FRAMES 6
#define MAX_COUNT 1000

typedef struct {
    int n;
    size_t size[MAX_FRAMES];
} spec_t;

/* The basic scenario's messages: the sizes around the 33-byte inline limit
 * and the one-byte/eight-byte length boundary (255/256), large bodies, and
 * multipart messages with empty frames anywhere. */
static const spec_t FULL_SET[] = {
    {1, {0}},
    {1, {1}},
    {1, {33}},
    {1, {34}},
    {1, {255}},
    {1, {256}},
    {1, {MIB}},
    {2, {0, 0}},
    {3, {1, 0, 1}},
    {5, {33, 34, 0, 255, 256}},
    {3, {0, MIB, 0}},
    {5, {256, 0, 0, 0, 34}},
    {1, {64 * MIB}}, /* only with --big: must stay last */
};
#define FULL_LEN (sizeof FULL_SET / sizeof FULL_SET[0])

/* Restart rounds and many-peer scenarios: small and quick. */
static const spec_t SMALL_SET[] = {
    {1, {0}},
    {1, {1}},
    {1, {33}},
    {1, {34}},
    {1, {256}},
    {3, {0, 33, 0}},
    {4, {255, 1, 0, 256}},
};
#define SMALL_LEN (sizeof SMALL_SET / sizeof SMALL_SET[0])

static struct {
    const char *pattern;
    char side;
    const char *bind_ep;
    const char *connect_ep;
    const char *scenario;
    int phase;
    int count;
    int big;
    int timeout_ms;
    const char *plain; /* "server", "client" or NULL (NULL mechanism) */
    const char *curve; /* "server", "client" or NULL */
    /* PLAIN client credentials */
    const char *plain_user, *plain_password;
    /* CURVE: this side's key pair, and (client) the server's public key */
    const char *curve_public, *curve_secret, *curve_server_key;
    /* User-Id every received content frame must carry (the server, where
     * ZAP ran), or with no_user_id, must not carry (the client). */
    const char *user_id;
    int no_user_id;
    /* deny: the handshake event the client waits for (NULL: none) */
    const char *await_event;
    /* wss: the server's certificate and key (PEM files); a client trusts
     * the certificate and checks the name WSS_HOSTNAME */
    const char *wss_cert, *wss_key;
} opt = {NULL, 0, NULL, NULL, "basic", 0, 1, 0, 10000, NULL, NULL, "admin", "s3cret",
         NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL};

static void *ctx;
static const spec_t *set;
static size_t set_len;
static unsigned long checked_msgs, checked_bytes;
static const char *stage = "setup";
/* Whether this side's last call was a receive: then nothing it sent is
 * still owed to the peer and it closes with linger 0 (a SUB's resent
 * subscriptions would otherwise hold zmq_ctx_term for the linger time
 * once the publisher is gone). */
static int last_was_recv;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL: %s %c%s [%s]: ", opt.pattern ? opt.pattern : "?",
            opt.side ? opt.side : '?', opt.bind_ep ? " bind" : " connect", stage);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    fflush(stderr);
    _exit(1);
}

static void zfail(const char *what)
{
    int e = zmq_errno();
    fail("%s: %s (errno %d)", what, zmq_strerror(e), e);
}

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- message contents ------------------------------------------------ */

static uint32_t mix(uint32_t stream, uint32_t msg, uint32_t frame)
{
    uint32_t h = stream * 0x9E3779B1u ^ msg * 0x85EBCA77u ^ frame * 0xC2B2AE3Du;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    return h;
}

/* Byte j of a frame: the offset's low, middle and high bits all count, so a
 * shifted, truncated or reordered chunk is caught, not only a wrong byte. */
static inline uint8_t byte_at(uint32_t h, size_t j)
{
    return (uint8_t)((h & 0xff) + j * ((h >> 8) | 1) + (j >> 8) * 7 + (j >> 16) * 13);
}

static void fill(uint8_t *p, size_t size, uint32_t h)
{
    for (size_t j = 0; j < size; j++)
        p[j] = byte_at(h, j);
}

static void set_opt_int(void *s, int name, int value, const char *what)
{
    if (zmq_setsockopt(s, name, &value, sizeof value) != 0)
        zfail(what);
}

/* ---- sending ------------------------------------------------------------ */

static void free_buffer(void *data, void *hint)
{
    (void)hint;
    free(data);
}

static void send_bytes(void *s, const void *p, size_t n, int more, const char *what)
{
    last_was_recv = 0;
    if (zmq_send(s, p, n, more ? ZMQ_SNDMORE : 0) != (int)n)
        zfail(what);
}

/* One frame of generated content. Small frames go through zmq_send (a copy),
 * 1 MiB through zmq_msg_init_size, larger ones as a user buffer with a free
 * function (zmq_msg_init_data), so all three ways in are exercised. */
static void send_frame(void *s, size_t size, uint32_t h, int more)
{
    zmq_msg_t m;
    last_was_recv = 0;
    if (size < MIB) {
        uint8_t buf[256];
        if (size <= sizeof buf) {
            fill(buf, size, h);
            send_bytes(s, buf, size, more, "zmq_send");
            return;
        }
        if (zmq_msg_init_size(&m, size) != 0)
            zfail("zmq_msg_init_size");
        fill(zmq_msg_data(&m), size, h);
    } else if (size == MIB) {
        if (zmq_msg_init_size(&m, size) != 0)
            zfail("zmq_msg_init_size");
        fill(zmq_msg_data(&m), size, h);
    } else {
        uint8_t *p = malloc(size);
        if (!p)
            fail("out of memory for %zu bytes", size);
        fill(p, size, h);
        if (zmq_msg_init_data(&m, p, size, free_buffer, NULL) != 0)
            zfail("zmq_msg_init_data");
    }
    if (zmq_msg_send(&m, s, more ? ZMQ_SNDMORE : 0) != (int)size) {
        int e = zmq_errno();
        zmq_msg_close(&m);
        errno = e;
        zfail("zmq_msg_send");
    }
}

/* Message `idx` of `stream`, after an optional first frame (a routing id or
 * a topic). */
static void send_msg(void *s, const char *head, uint32_t stream, size_t idx)
{
    const spec_t *sp = &set[idx];
    if (head)
        send_bytes(s, head, strlen(head), 1, "send first frame");
    for (int f = 0; f < sp->n; f++)
        send_frame(s, sp->size[f], mix(stream, (uint32_t)idx, (uint32_t)f), f + 1 < sp->n);
}

/* ---- receiving ----------------------------------------------------------- */

/* Receive one frame into `m` (initialised by the caller). */
static void recv_frame(void *s, zmq_msg_t *m, const char *what)
{
    last_was_recv = 1;
    if (zmq_msg_recv(m, s, 0) < 0) {
        if (zmq_errno() == EAGAIN)
            fail("timed out after %d ms waiting for %s", opt.timeout_ms, what);
        zfail(what);
    }
}

static int frame_is(zmq_msg_t *m, const char *text)
{
    size_t n = strlen(text);
    return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), text, n) == 0;
}

static void describe(zmq_msg_t *m, char *out, size_t cap)
{
    size_t n = zmq_msg_size(m);
    const uint8_t *p = zmq_msg_data(m);
    int k = snprintf(out, cap, "%zu bytes \"", n);
    for (size_t i = 0; i < n && i < 12 && k + 5 < (int)cap; i++)
        k += snprintf(out + k, cap - k, (p[i] >= 32 && p[i] < 127) ? "%c" : "\\x%02x", p[i]);
    snprintf(out + k, cap - k, "%s\"%s", n > 12 ? "..." : "", zmq_msg_more(m) ? " +more" : "");
}

/* Receive a frame that must be exactly `text` with the given MORE flag. */
static void expect_text(void *s, const char *text, int more, const char *what)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    recv_frame(s, &m, what);
    if (!frame_is(&m, text) || zmq_msg_more(&m) != more) {
        char d[128];
        describe(&m, d, sizeof d);
        fail("%s: expected \"%s\"%s, got %s", what, text, more ? " +more" : "", d);
    }
    zmq_msg_close(&m);
}

/* ZAP metadata end to end: the User-Id the server's handler gave (and its
 * extra property), on every frame that came through the connection; none
 * at all on the client, where no ZAP ran. */
static void check_user_id(zmq_msg_t *m, uint32_t stream, size_t idx, int f)
{
    if (!opt.user_id && !opt.no_user_id)
        return;
    const char *got = zmq_msg_gets(m, "User-Id");
    if (opt.no_user_id) {
        if (got)
            fail("stream %u message %zu frame %d: User-Id \"%s\" on the client, where no ZAP ran",
                 stream, idx, f, got);
        return;
    }
    if (!got || strcmp(got, opt.user_id) != 0)
        fail("stream %u message %zu frame %d: User-Id is %s%s%s, expected \"%s\"", stream, idx, f,
             got ? "\"" : "", got ? got : "missing", got ? "\"" : "", opt.user_id);
    got = zmq_msg_gets(m, "X-Interop");
    if (!got || strcmp(got, "zap-metadata") != 0)
        fail("stream %u message %zu frame %d: the ZAP handler's property X-Interop is %s, "
             "expected \"zap-metadata\"", stream, idx, f, got ? got : "missing");
}

/* Check a received frame against frame `f` of message `idx` of `stream`. */
static void check_frame(zmq_msg_t *m, uint32_t stream, size_t idx, int f)
{
    const spec_t *sp = &set[idx];
    size_t want = sp->size[f];
    size_t got = zmq_msg_size(m);
    int more = f + 1 < sp->n;
    if (got != want)
        fail("stream %u message %zu frame %d: %zu bytes, expected %zu", stream, idx, f, got, want);
    if (zmq_msg_more(m) != more)
        fail("stream %u message %zu frame %d: MORE is %d, expected %d", stream, idx, f,
             zmq_msg_more(m), more);
    check_user_id(m, stream, idx, f);
    uint32_t h = mix(stream, (uint32_t)idx, (uint32_t)f);
    const uint8_t *p = zmq_msg_data(m);
    for (size_t j = 0; j < got; j++)
        if (p[j] != byte_at(h, j))
            fail("stream %u message %zu frame %d (%zu bytes): byte %zu is 0x%02x, expected 0x%02x",
                 stream, idx, f, got, j, p[j], byte_at(h, j));
    checked_bytes += got;
}

/* The rest of message `idx` of `stream`, its first frame already in `m`. */
static void expect_msg_from(void *s, zmq_msg_t *m, uint32_t stream, size_t idx)
{
    const spec_t *sp = &set[idx];
    char what[96];
    for (int f = 0; f < sp->n; f++) {
        if (f > 0) {
            snprintf(what, sizeof what, "stream %u message %zu frame %d", stream, idx, f);
            recv_frame(s, m, what);
        }
        check_frame(m, stream, idx, f);
    }
    checked_msgs++;
}

static void expect_msg(void *s, uint32_t stream, size_t idx)
{
    char what[96];
    zmq_msg_t m;
    zmq_msg_init(&m);
    snprintf(what, sizeof what, "stream %u message %zu", stream, idx);
    recv_frame(s, &m, what);
    expect_msg_from(s, &m, stream, idx);
    zmq_msg_close(&m);
}

/* ---- the control channel (stdin) -------------------------------------- */

static void read_line(char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = read(0, &c, 1);
        if (r == 0)
            fail("stdin closed while waiting for the driver");
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fail("read stdin: %s", strerror(errno));
        }
        if (c == '\n')
            break;
        if (n + 1 < cap)
            buf[n++] = c;
    }
    buf[n] = 0;
}

static void expect_signal(const char *word)
{
    char line[128], want[128];
    snprintf(want, sizeof want, "sig %s", word);
    read_line(line, sizeof line);
    if (strcmp(line, want) != 0)
        fail("driver sent \"%s\", expected \"%s\"", line, want);
}

/* ---- monitor: the restarted peer's connection, the handshake's fate ---- */

static void *monitor;
static int handshakes, disconnects, handshake_results, awaited_seen;

static void start_monitor(void *s, int events)
{
    if (zmq_socket_monitor(s, "inproc://interop-monitor", events) != 0)
        zfail("zmq_socket_monitor");
    monitor = zmq_socket(ctx, ZMQ_PAIR);
    if (!monitor || zmq_connect(monitor, "inproc://interop-monitor") != 0)
        zfail("connect the monitor");
}

static const char *event_name(int id)
{
    switch (id) {
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return "HANDSHAKE_SUCCEEDED";
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: return "HANDSHAKE_FAILED_NO_DETAIL";
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return "HANDSHAKE_FAILED_PROTOCOL";
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: return "HANDSHAKE_FAILED_AUTH";
    case ZMQ_EVENT_DISCONNECTED: return "DISCONNECTED";
    default: return "OTHER";
    }
}

/* Read the events that are there (waiting up to wait_ms for the first).
 * In a deny scenario every handshake event goes to the driver as
 * "event NAME VALUE", which compares them with what libzmq 4.3.5 shows. */
static void drain_monitor(int wait_ms)
{
    zmq_pollitem_t it = {monitor, 0, ZMQ_POLLIN, 0};
    while (zmq_poll(&it, 1, wait_ms) > 0) {
        zmq_msg_t ev, addr;
        zmq_msg_init(&ev);
        zmq_msg_init(&addr);
        if (zmq_msg_recv(&ev, monitor, 0) < 0 || zmq_msg_recv(&addr, monitor, 0) < 0)
            zfail("read a monitor event");
        uint16_t id;
        uint32_t value;
        memcpy(&id, zmq_msg_data(&ev), sizeof id);
        memcpy(&value, (uint8_t *)zmq_msg_data(&ev) + 2, sizeof value);
        if (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
            handshakes++;
        if (id == ZMQ_EVENT_DISCONNECTED)
            disconnects++;
        if (id & (ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                  | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)) {
            handshake_results++;
            if (strcmp(opt.scenario, "deny") == 0)
                say("event %s %u", event_name(id), value);
            if (opt.await_event && strcmp(event_name(id), opt.await_event) == 0)
                awaited_seen++;
        }
        zmq_msg_close(&ev);
        zmq_msg_close(&addr);
        wait_ms = 0;
    }
}

/* Ask for ZMQ_EVENTS for a while: that makes the socket process its
 * commands (and, for a PAIR that only sends, read up to the dead pipe's
 * delimiter), so the dead connection's pipe is gone before the new peer
 * arrives. libzmq's bound PAIR rejects a new peer while the old pipe is
 * still attached. */
static void process_commands(void *s, int ms)
{
    for (int i = 0; i < ms / 10; i++) {
        int events;
        size_t len = sizeof events;
        zmq_getsockopt(s, ZMQ_EVENTS, &events, &len);
        drain_monitor(10);
    }
}

/* Wait until the monitor saw `disc` disconnects and `hs` handshakes. */
static void wait_for_events(void *s, int disc, int hs)
{
    double deadline = now_ms() + opt.timeout_ms;
    while (!(disconnects >= disc && handshakes >= hs)) {
        if (now_ms() > deadline)
            fail("timed out after %d ms: %d disconnects, %d handshakes (want %d and %d)",
                 opt.timeout_ms, disconnects, handshakes, disc, hs);
        process_commands(s, 10);
    }
    process_commands(s, 100);
}

#endif
