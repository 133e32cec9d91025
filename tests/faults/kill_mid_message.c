/* Fault 1: a peer killed (SIGKILL) in the middle of a 64 MiB message.
 *
 * a) the killed peer sends: a PULL of the library under test is bound; a
 *    child connects (a raw ZMTP 3.0 peer, so the cut is exactly where we
 *    want it: after three small messages, the header of a 64 MiB message
 *    and 32 MiB of its body) and is killed there. The PULL must deliver
 *    the three small messages, never a part of the big one, raise
 *    DISCONNECTED, and then take a new peer (a PUSH of the same library in
 *    another child) as if nothing had happened: three small messages and
 *    a whole 64 MiB one, byte for byte.
 * b) the killed peer receives: a PUSH of the library under test connects
 *    (ZMQ_RECONNECT_IVL 100 ms) to a raw ZMTP peer that reads three small
 *    messages and 16 MiB of a 64 MiB one, then stops reading and is killed.
 *    Three more small messages were queued behind the big one. The PUSH
 *    must survive, raise DISCONNECTED, retry, connect to a new PULL (a
 *    child bound on the same port) and deliver what libzmq delivers (the
 *    message on the wire when the peer died is lost with it; what was
 *    still queued is not). */
#include "fault.h"

#define BIG (64 * MIB)

/* ---- children ---- */

static int role_raw_sender (int port, int multipart)
{
    int s = raw_connect (port);
    unsigned char buf[64];
    size_t n;
    CHECK (zmtp_handshake (s, "PUSH") == 0);
    for (int i = 1; i <= 3; i++) {
        char text[16];
        int len = snprintf (text, sizeof text, "small-%d", i);
        n = zmtp_frame_header (buf, (uint64_t) len, 0);
        CHECK (write_all (s, buf, n) == 0);
        CHECK (write_all (s, text, (size_t) len) == 0);
    }
    if (multipart) /* the big one is the last of three frames */
        for (int i = 1; i <= 2; i++) {
            char text[16];
            int len = snprintf (text, sizeof text, "part-%d", i);
            n = zmtp_frame_header (buf, (uint64_t) len, 1);
            CHECK (write_all (s, buf, n) == 0);
            CHECK (write_all (s, text, (size_t) len) == 0);
        }
    n = zmtp_frame_header (buf, BIG, 0);
    CHECK (write_all (s, buf, n) == 0);
    unsigned char *body = (unsigned char *) malloc (BIG / 2);
    CHECK (body);
    big_fill (body, BIG / 2, "BIGONE");
    CHECK (write_all (s, body, BIG / 2) == 0);
    notify ("half");
    while (1)
        pause ();
}

static int role_zmq_sender (int port)
{
    void *ctx = zmq_ctx_new ();
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    char ep[64];
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    CHECK (zmq_connect (push, ep) == 0);
    for (int i = 1; i <= 3; i++) {
        char text[16];
        int len = snprintf (text, sizeof text, "after-%d", i);
        CHECK (zmq_send (push, text, (size_t) len, 0) == len);
    }
    zmq_msg_t msg;
    CHECK (zmq_msg_init_size (&msg, BIG) == 0);
    big_fill ((unsigned char *) zmq_msg_data (&msg), BIG, "BIGTWO");
    CHECK (zmq_msg_send (&msg, push, 0) == BIG);
    set_int (push, ZMQ_LINGER, 10000);
    zmq_close (push);
    zmq_ctx_term (ctx);
    notify ("done");
    return 0;
}

static int role_raw_receiver (int port)
{
    int l = raw_listen (port);
    struct pollfd pf = {l, POLLIN, 0};
    if (poll (&pf, 1, 10000) <= 0) {
        notify ("no-connection");
        return 1;
    }
    int s = accept (l, NULL, NULL);
    CHECK (s >= 0);
    if (zmtp_handshake (s, "PULL") < 0) {
        notify ("no-handshake");
        return 1;
    }
    char *body = (char *) malloc (BIG);
    CHECK (body);
    while (1) {
        uint64_t size;
        int flags = zmtp_read_header (s, &size, 5000);
        if (flags < 0) {
            notify ("eof");
            return 1;
        }
        if (size > 1024) {
            /* The big one: read a quarter, then stop reading. */
            if (read_all (s, body, 16 * MIB, 5000) < 0) {
                notify ("eof");
                return 1;
            }
            notify ("partial %llu", (unsigned long long) size);
            while (1)
                pause ();
        }
        if (read_all (s, body, size, 5000) < 0) {
            notify ("eof");
            return 1;
        }
        if (!(flags & 4))
            notify ("msg %.*s", (int) size, body);
    }
}

static int role_zmq_receiver (int port)
{
    void *ctx = zmq_ctx_new ();
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    char ep[64];
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    CHECK (zmq_bind (pull, ep) == 0);
    notify ("bound");
    set_int (pull, ZMQ_RCVTIMEO, 4000);
    while (1) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        if (zmq_msg_recv (&msg, pull, 0) == -1)
            break;
        size_t size = zmq_msg_size (&msg);
        const char *d = (const char *) zmq_msg_data (&msg);
        if (size > 1024)
            notify ("msg big-%.6s:%zu:%s", d, size,
                    big_check ((const unsigned char *) d, size) ? "ok"
                                                                : "corrupt");
        else
            notify ("msg %.*s", (int) size, d);
        int last = size == 7 && memcmp (d, "after-3", 7) == 0;
        zmq_msg_close (&msg);
        if (last)
            break;
        set_int (pull, ZMQ_RCVTIMEO, 2000);
    }
    set_int (pull, ZMQ_LINGER, 0);
    zmq_close (pull);
    zmq_ctx_term (ctx);
    notify ("end");
    return 0;
}

/* ---- the socket under test ---- */

/* Receives one message (timeout_ms) and appends its description to list;
 * returns its size or -1. */
static int recv_describe (void *s, char *list, size_t size, int timeout_ms)
{
    set_int (s, ZMQ_RCVTIMEO, timeout_ms);
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, s, 0) == -1) {
        zmq_msg_close (&msg);
        return -1;
    }
    size_t n = zmq_msg_size (&msg);
    const char *d = (const char *) zmq_msg_data (&msg);
    char item[64];
    if (n > 1024)
        snprintf (item, sizeof item, "big-%.6s:%zu:%s", d, n,
                  big_check ((const unsigned char *) d, n) ? "ok" : "corrupt");
    else
        snprintf (item, sizeof item, "%.*s", (int) (n < 32 ? n : 32), d);
    size_t len = strlen (list);
    snprintf (list + len, size - len, "%s%s", len ? "," : "", item);
    zmq_msg_close (&msg);
    return (int) n;
}

static void part_a (void *ctx, int multipart)
{
    const char *v = multipart ? "am" : "a";
    char ph[64];
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (zmq_bind (pull, "tcp://127.0.0.1:*") == 0);
    int port = endpoint_port (pull);
    monitor_t *m = monitor_start (ctx, pull, "pull");
    int mark = 0;
    char line[256], got[1024] = "";

    snprintf (ph, sizeof ph, "%s-connect", v);
    phase (ph);
    char p[16];
    snprintf (p, sizeof p, "%d", port);
    child_t *c =
      spawn ("raw-sender", p, multipart ? "multipart" : NULL, NULL);
    for (int i = 0; i < 3; i++)
        if (recv_describe (pull, got, sizeof got, 5000) < 0)
            break;
    out ("fact %s_received_before_kill %s", v, got[0] ? got : "-");
    int half = child_expect (c, "half", line, sizeof line, 10000);
    out ("fact %s_peer_sent_half %s", v, half ? "yes" : "no");

    snprintf (ph, sizeof ph, "%s-kill", v);
    phase (ph);
    mark = monitor_mark (m);
    int64_t t_kill = since_start ();
    child_kill (c, SIGKILL);
    child_reap (c, 2000);
    int64_t t_disc = monitor_wait (m, &mark, ZMQ_EVENT_DISCONNECTED, -1, 5000);
    out ("fact %s_disconnected %s", v, t_disc >= 0 ? "yes" : "no");
    if (t_disc >= 0)
        out ("figure %s_disconnected_after_kill_ms %lld", v,
             (long long) (t_disc - t_kill));
    got[0] = 0;
    int r = recv_describe (pull, got, sizeof got, 500);
    out ("fact %s_partial_delivered %s", v, r < 0 ? "none" : got);
    if (r >= 0)
        out ("bad a part of the killed peer's message was delivered: %s",
             got);

    snprintf (ph, sizeof ph, "%s-new-peer", v);
    phase (ph);
    int64_t t0 = since_start ();
    c = spawn ("zmq-sender", p, NULL, NULL);
    got[0] = 0;
    for (int i = 0; i < 4; i++)
        if (recv_describe (pull, got, sizeof got, 5000) < 0)
            break;
    out ("fact %s_new_peer_delivered %s", v, got[0] ? got : "-");
    out ("figure %s_new_peer_4_messages_ms %lld", v,
         (long long) (since_start () - t0));
    int done = child_expect (c, "done", line, sizeof line, 5000);
    out ("fact %s_new_peer_done %s", v, done ? "yes" : "no");
    child_reap (c, 2000);
    msleep (100);
    snprintf (ph, sizeof ph, "%s-end", v);
    phase (ph);
    monitor_stop (m, pull);
    set_int (pull, ZMQ_LINGER, 0);
    zmq_close (pull);
}

static void part_b (void *ctx, int multipart)
{
    const char *v = multipart ? "bm" : "b";
    char ph[64];
    int port = free_port ();
    char p[16], ep[64], line[256], got[1024] = "";
    snprintf (p, sizeof p, "%d", port);
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    set_int (push, ZMQ_RECONNECT_IVL, 100);
    set_int (push, ZMQ_SNDTIMEO, 5000);
    monitor_t *m = monitor_start (ctx, push, "push");
    int mark = 0;

    snprintf (ph, sizeof ph, "%s-connect", v);
    phase (ph);
    child_t *c = spawn ("raw-receiver", p, NULL, NULL);
    msleep (100); /* the raw receiver listens */
    CHECK (zmq_connect (push, ep) == 0);
    for (int i = 1; i <= 3; i++) {
        char text[16];
        int len = snprintf (text, sizeof text, "small-%d", i);
        CHECK (zmq_send (push, text, (size_t) len, 0) == len);
    }
    if (multipart) /* head, the big one, tail: one message */
        CHECK (zmq_send (push, "head", 4, ZMQ_SNDMORE) == 4);
    zmq_msg_t msg;
    CHECK (zmq_msg_init_size (&msg, BIG) == 0);
    big_fill ((unsigned char *) zmq_msg_data (&msg), BIG, "BIGONE");
    int rc = zmq_msg_send (&msg, push, multipart ? ZMQ_SNDMORE : 0);
    out ("fact %s_big_send %s", v, rc == BIG ? "ok" : "failed");
    if (rc != BIG)
        zmq_msg_close (&msg);
    if (multipart)
        CHECK (zmq_send (push, "tail", 4, 0) == 4);
    for (int i = 1; i <= 3; i++) {
        char text[16];
        int len = snprintf (text, sizeof text, "after-%d", i);
        rc = zmq_send (push, text, (size_t) len, 0);
        if (rc != len)
            out ("fact %s_send_%s failed", v, text);
    }
    int partial = 0;
    while (child_read_line (c, line, sizeof line, 10000)) {
        size_t len = strlen (got);
        snprintf (got + len, sizeof got - len, "%s%s", len ? "," : "",
                  line);
        if (strncmp (line, "partial", 7) == 0) {
            partial = 1;
            break;
        }
        if (strncmp (line, "msg ", 4) != 0)
            break;
    }
    out ("fact %s_killed_peer_read %s", v, got[0] ? got : "-");

    snprintf (ph, sizeof ph, "%s-kill", v);
    phase (ph);
    mark = monitor_mark (m);
    int64_t t_kill = since_start ();
    child_kill (c, SIGKILL);
    child_reap (c, 2000);
    int64_t t_disc = monitor_wait (m, &mark, ZMQ_EVENT_DISCONNECTED, -1, 5000);
    out ("fact %s_disconnected %s", v, t_disc >= 0 ? "yes" : "no");
    if (t_disc >= 0)
        out ("figure %s_disconnected_after_kill_ms %lld", v,
             (long long) (t_disc - t_kill));
    (void) partial;
    /* Let it retry against the closed port a few times. */
    msleep (400);

    snprintf (ph, sizeof ph, "%s-new-peer", v);
    phase (ph);
    mark = monitor_mark (m);
    int64_t t0 = since_start ();
    c = spawn ("zmq-receiver", p, NULL, NULL);
    got[0] = 0;
    while (child_read_line (c, line, sizeof line, 8000)) {
        if (strcmp (line, "end") == 0)
            break;
        if (strncmp (line, "msg ", 4) != 0)
            continue;
        size_t len = strlen (got);
        snprintf (got + len, sizeof got - len, "%s%s", len ? "," : "",
                  line + 4);
    }
    out ("fact %s_new_peer_received %s", v, got[0] ? got : "-");
    int64_t t_hs =
      monitor_wait (m, &mark, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, -1, 100);
    if (t_hs >= 0)
        out ("figure %s_reconnected_after_new_peer_ms %lld", v,
             (long long) (t_hs - t0));
    child_reap (c, 3000);
    msleep (100);
    snprintf (ph, sizeof ph, "%s-end", v);
    phase (ph);
    monitor_stop (m, push);
    set_int (push, ZMQ_LINGER, 0);
    zmq_close (push);
}

int main (int argc, char **argv)
{
    fault_init (argv);
    if (argc >= 4) {
        notify_fd = atoi (argv[2]);
        int port = atoi (argv[3]);
        if (!strcmp (argv[1], "raw-sender"))
            return role_raw_sender (port, argc > 4);
        if (!strcmp (argv[1], "zmq-sender"))
            return role_zmq_sender (port);
        if (!strcmp (argv[1], "raw-receiver"))
            return role_raw_receiver (port);
        if (!strcmp (argv[1], "zmq-receiver"))
            return role_zmq_receiver (port);
        return 2;
    }
    void *ctx = zmq_ctx_new ();
    if (argc < 2 || strchr (argv[1], 'a'))
        part_a (ctx, 0);
    if (argc < 2 || strchr (argv[1], 'b'))
        part_b (ctx, 0);
    if (argc < 2 || strchr (argv[1], 'm')) {
        part_a (ctx, 1);
        part_b (ctx, 1);
    }
    zmq_ctx_term (ctx);
    out ("done");
    return 0;
}
