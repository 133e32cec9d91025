/* Fault 2: a peer that stops (SIGSTOP) while heartbeats are on.
 *
 * a) a DEALER of the library under test connects to an echoing ROUTER in
 *    a child (ZMQ_HEARTBEAT_IVL 100 ms, _TIMEOUT 500 ms, _TTL 1000 ms,
 *    ZMQ_RECONNECT_IVL 100 ms). After one round trip the child is
 *    stopped: the DEALER must time the connection out (DISCONNECTED about
 *    500 ms after the last traffic), reconnect (the stopped process's
 *    kernel still completes the TCP handshake: CONNECTED, then the ZMTP
 *    handshake waits), keep a message sent meanwhile, and after SIGCONT
 *    finish the handshake and get the queued message's echo and a new one.
 * b) the reverse: a ROUTER of the library under test is bound with the
 *    same heartbeat options, a DEALER in a child (routing id "child", no
 *    heartbeats of its own) connects and echoes. The child is stopped: the
 *    ROUTER drops the connection after the timeout (DISCONNECTED), a
 *    message to "child" is then unroutable (ZMQ_ROUTER_MANDATORY:
 *    EHOSTUNREACH); after SIGCONT the child sees the close, reconnects
 *    (ACCEPTED, HANDSHAKE_SUCCEEDED) and echoes again.
 * d) as b), but the ROUTER's application does not read while the peer is
 *    away (libzmq keeps the dead connection's routing id until its pipe is
 *    read to the end, and ignores the reconnected peer that has it).
 * c) the TTL: a DEALER of the library under test without heartbeat options
 *    of its own connects to an echoing ROUTER in a child that pings every
 *    100 ms with ZMQ_HEARTBEAT_TTL 1000 ms. The child is stopped: the
 *    DEALER must drop the connection when the TTL the peer announced has
 *    passed without traffic (about 1000 ms after the last PING), and
 *    reconnect after SIGCONT. */
#include "fault.h"

static int role_zmq_dealer_echo (int port)
{
    void *ctx = zmq_ctx_new ();
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    CHECK (zmq_setsockopt (dealer, ZMQ_ROUTING_ID, "child", 5) == 0);
    set_int (dealer, ZMQ_RECONNECT_IVL, 100);
    char ep[64];
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    CHECK (zmq_connect (dealer, ep) == 0);
    notify ("connecting");
    while (1) {
        zmq_msg_t body;
        zmq_msg_init (&body);
        if (zmq_msg_recv (&body, dealer, 0) == -1)
            return 1;
        zmq_msg_send (&body, dealer, 0);
    }
}

static void heartbeats (void *s)
{
    set_int (s, ZMQ_HEARTBEAT_IVL, 100);
    set_int (s, ZMQ_HEARTBEAT_TIMEOUT, 500);
    set_int (s, ZMQ_HEARTBEAT_TTL, 1000);
}

static void part_a (void *ctx)
{
    int port = free_port ();
    char p[16], ep[64], line[256], text[64], got[256] = "";
    snprintf (p, sizeof p, "%d", port);
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    heartbeats (dealer);
    set_int (dealer, ZMQ_RECONNECT_IVL, 100);
    monitor_t *m = monitor_start (ctx, dealer, "dealer");
    int mark = 0;

    phase ("a-connect");
    child_t *c = spawn ("zmq-echo", p, NULL, NULL);
    CHECK (child_expect (c, "bound", line, sizeof line, 5000));
    CHECK (zmq_connect (dealer, ep) == 0);
    CHECK (zmq_send (dealer, "m1", 2, 0) == 2);
    out ("fact a_echo_before %s",
         recv_text (dealer, text, sizeof text, 3000) >= 0 ? text : "timeout");
    msleep (600); /* heartbeats answered: no disconnect */

    phase ("a-stop");
    mark = monitor_mark (m);
    int64_t t_stop = since_start ();
    child_kill (c, SIGSTOP);
    int64_t t_disc = monitor_wait (m, &mark, ZMQ_EVENT_DISCONNECTED, -1, 5000);
    out ("fact a_disconnected %s", t_disc >= 0 ? "yes" : "no");
    if (t_disc >= 0)
        out ("figure a_disconnected_after_stop_ms %lld",
             (long long) (t_disc - t_stop));
    CHECK (zmq_send (dealer, "m2", 2, 0) == 2);
    msleep (700);

    phase ("a-cont");
    mark = monitor_mark (m);
    int64_t t_cont = since_start ();
    child_kill (c, SIGCONT);
    int64_t t_hs =
      monitor_wait (m, &mark, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, -1, 5000);
    out ("fact a_handshake_after_cont %s", t_hs >= 0 ? "yes" : "no");
    if (t_hs >= 0)
        out ("figure a_handshake_after_cont_ms %lld",
             (long long) (t_hs - t_cont));
    if (recv_text (dealer, text, sizeof text, 3000) >= 0)
        append (got, sizeof got, text);
    CHECK (zmq_send (dealer, "m3", 2, 0) == 2);
    while (recv_text (dealer, text, sizeof text, 1000) >= 0) {
        append (got, sizeof got, text);
        if (!strcmp (text, "m3"))
            break;
    }
    out ("fact a_echo_after %s", got[0] ? got : "-");

    phase ("a-end");
    mark = monitor_mark (m);
    child_kill (c, SIGKILL);
    child_reap (c, 2000);
    monitor_wait (m, &mark, ZMQ_EVENT_DISCONNECTED, -1, 1000);
    monitor_wait (m, &mark, ZMQ_EVENT_CONNECT_RETRIED, -1, 1000);
    monitor_stop (m, dealer);
    set_int (dealer, ZMQ_LINGER, 0);
    zmq_close (dealer);
}

/* Sends [child, text] with ROUTER_MANDATORY, retrying EHOSTUNREACH for up
 * to timeout_ms; returns 0 or the last errno. */
static int router_send (void *router, const char *text, int timeout_ms)
{
    int64_t deadline = now_ms () + timeout_ms;
    while (1) {
        if (zmq_send (router, "child", 5, ZMQ_SNDMORE | ZMQ_DONTWAIT) == 5) {
            CHECK (zmq_send (router, text, strlen (text), 0)
                   == (int) strlen (text));
            return 0;
        }
        int err = errno;
        if (err != EHOSTUNREACH || now_ms () >= deadline)
            return err;
        msleep (10);
    }
}

static void part_b (void *ctx, int reads)
{
    const char *v = reads ? "b" : "d";
    char ph[64];
    char p[16], line[256], text[64];
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    heartbeats (router);
    set_int (router, ZMQ_ROUTER_MANDATORY, 1);
    CHECK (zmq_bind (router, "tcp://127.0.0.1:*") == 0);
    snprintf (p, sizeof p, "%d", endpoint_port (router));
    monitor_t *m = monitor_start (ctx, router, "router");
    int mark = 0;

    snprintf (ph, sizeof ph, "%s-connect", v);
    phase (ph);
    child_t *c = spawn ("zmq-dealer-echo", p, NULL, NULL);
    CHECK (child_expect (c, "connecting", line, sizeof line, 5000));
    int err = router_send (router, "m1", 3000);
    out ("fact %s_send_before %s", v, err ? zmq_strerror (err) : "ok");
    out ("fact %s_echo_before %s", v,
         recv_text (router, text, sizeof text, 3000) >= 0 ? text : "timeout");
    msleep (600);

    snprintf (ph, sizeof ph, "%s-stop", v);
    phase (ph);
    mark = monitor_mark (m);
    int64_t t_stop = since_start ();
    child_kill (c, SIGSTOP);
    int64_t t_disc = monitor_wait (m, &mark, ZMQ_EVENT_DISCONNECTED, -1, 5000);
    out ("fact %s_disconnected %s", v, t_disc >= 0 ? "yes" : "no");
    if (t_disc >= 0)
        out ("figure %s_disconnected_after_stop_ms %lld", v,
             (long long) (t_disc - t_stop));
    msleep (50);
    err = router_send (router, "lost", 0);
    out ("fact %s_send_while_stopped %s", v, err ? zmq_strerror (err) : "ok");
    /* b) a server loop: the ROUTER reads while the peer is away. d) it
     * does not (libzmq frees the old connection's routing id only when
     * the application reads that pipe to its end; docs/reliability.md). */
    if (reads)
        out ("fact %s_received_while_stopped %s", v,
             recv_text (router, text, sizeof text, 500) >= 0 ? text
                                                             : "none");
    else
        msleep (500);

    snprintf (ph, sizeof ph, "%s-cont", v);
    phase (ph);
    mark = monitor_mark (m);
    int64_t t_cont = since_start ();
    child_kill (c, SIGCONT);
    int64_t t_hs =
      monitor_wait (m, &mark, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, -1, 5000);
    out ("fact %s_handshake_after_cont %s", v, t_hs >= 0 ? "yes" : "no");
    if (t_hs >= 0)
        out ("figure %s_handshake_after_cont_ms %lld", v,
             (long long) (t_hs - t_cont));
    err = router_send (router, "m2", reads ? 3000 : 1000);
    out ("fact %s_send_after %s", v, err ? zmq_strerror (err) : "ok");
    out ("fact %s_echo_after %s", v,
         recv_text (router, text, sizeof text, reads ? 3000 : 500) >= 0
           ? text
           : "timeout");
    if (!reads) {
        /* The application reads at last; is the peer reachable now? */
        err = router_send (router, "m3", 1000);
        out ("fact %s_send_after_reading %s", v,
             err ? zmq_strerror (err) : "ok");
        out ("fact %s_echo_after_reading %s", v,
             recv_text (router, text, sizeof text, 500) >= 0 ? text
                                                             : "timeout");
    }

    snprintf (ph, sizeof ph, "%s-end", v);
    phase (ph);
    mark = monitor_mark (m);
    child_kill (c, SIGKILL);
    child_reap (c, 2000);
    monitor_wait (m, &mark, ZMQ_EVENT_DISCONNECTED, -1, 1000);
    monitor_stop (m, router);
    set_int (router, ZMQ_LINGER, 0);
    zmq_close (router);
}

static void part_c (void *ctx)
{
    int port = free_port ();
    char p[16], ep[64], line[256], text[64];
    snprintf (p, sizeof p, "%d", port);
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    set_int (dealer, ZMQ_RECONNECT_IVL, 100);
    monitor_t *m = monitor_start (ctx, dealer, "dealer");
    int mark = 0;

    phase ("c-connect");
    child_t *c = spawn ("zmq-echo-ttl", p, NULL, NULL);
    CHECK (child_expect (c, "bound", line, sizeof line, 5000));
    CHECK (zmq_connect (dealer, ep) == 0);
    CHECK (zmq_send (dealer, "m1", 2, 0) == 2);
    out ("fact c_echo_before %s",
         recv_text (dealer, text, sizeof text, 3000) >= 0 ? text : "timeout");
    msleep (1500); /* longer than the TTL: the PINGs keep it up */

    phase ("c-stop");
    mark = monitor_mark (m);
    int64_t t_stop = since_start ();
    child_kill (c, SIGSTOP);
    int64_t t_disc = monitor_wait (m, &mark, ZMQ_EVENT_DISCONNECTED, -1, 5000);
    out ("fact c_disconnected %s", t_disc >= 0 ? "yes" : "no");
    if (t_disc >= 0)
        out ("figure c_disconnected_after_stop_ms %lld",
             (long long) (t_disc - t_stop));
    msleep (300);

    phase ("c-cont");
    mark = monitor_mark (m);
    child_kill (c, SIGCONT);
    int64_t t_hs =
      monitor_wait (m, &mark, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, -1, 5000);
    out ("fact c_handshake_after_cont %s", t_hs >= 0 ? "yes" : "no");
    CHECK (zmq_send (dealer, "m2", 2, 0) == 2);
    out ("fact c_echo_after %s",
         recv_text (dealer, text, sizeof text, 3000) >= 0 ? text : "timeout");

    phase ("c-end");
    mark = monitor_mark (m);
    child_kill (c, SIGKILL);
    child_reap (c, 2000);
    monitor_wait (m, &mark, ZMQ_EVENT_DISCONNECTED, -1, 1000);
    monitor_wait (m, &mark, ZMQ_EVENT_CONNECT_RETRIED, -1, 1000);
    monitor_stop (m, dealer);
    set_int (dealer, ZMQ_LINGER, 0);
    zmq_close (dealer);
}

int main (int argc, char **argv)
{
    fault_init (argv);
    if (argc >= 4) {
        notify_fd = atoi (argv[2]);
        int port = atoi (argv[3]);
        if (!strcmp (argv[1], "zmq-echo"))
            return role_zmq_echo (port);
        if (!strcmp (argv[1], "zmq-echo-ttl"))
            return role_zmq_echo_with (port, 100, 1000);
        if (!strcmp (argv[1], "zmq-dealer-echo"))
            return role_zmq_dealer_echo (port);
        return 2;
    }
    void *ctx = zmq_ctx_new ();
    if (argc < 2 || strchr (argv[1], 'a'))
        part_a (ctx);
    if (argc < 2 || strchr (argv[1], 'b'))
        part_b (ctx, 1);
    if (argc < 2 || strchr (argv[1], 'd'))
        part_b (ctx, 0);
    if (argc < 2 || strchr (argv[1], 'c'))
        part_c (ctx);
    zmq_ctx_term (ctx);
    out ("done");
    return 0;
}
