/* Fault 3: a peer that sends its greeting one byte per second.
 *
 * a) a ROUTER of the library under test is bound with ZMQ_HANDSHAKE_IVL
 *    2000 ms and echoes what it receives. A raw client (a child) connects
 *    and writes a valid ZMTP 3.0 greeting one byte a second; a DEALER (a
 *    child of the same library) connects too and chats: 25 round trips,
 *    one every 100 ms. The slow connection must be dropped when the
 *    handshake timer expires (the events libzmq raises:
 *    HANDSHAKE_FAILED_NO_DETAIL, then DISCONNECTED of that descriptor),
 *    the chat must go on undisturbed.
 * c) as a), but the slow client sends its greeting at once and then its
 *    READY one byte a second: the same timer, the same events.
 * b) a DEALER of the library under test (ZMQ_HANDSHAKE_IVL 1500 ms,
 *    ZMQ_RECONNECT_IVL 300 ms) connects to a raw server that answers one
 *    byte a second: the same drop, then a new attempt, as libzmq. */
#include "fault.h"

/* Writes a valid greeting one byte every `ivl` ms on s until the peer
 * closes; reports how many bytes went and when the close was seen. */
static void slow_bytes (int s, const unsigned char *g, int n, int ivl)
{
    int64_t t0 = now_ms ();
    for (int i = 0; i < n; i++) {
        if (write (s, g + i, 1) != 1) {
            notify ("closed %d %lld write", i, (long long) (now_ms () - t0));
            return;
        }
        int64_t next = now_ms () + ivl;
        while (now_ms () < next) {
            struct pollfd pf = {s, POLLIN | POLLRDHUP, 0};
            if (poll (&pf, 1, (int) (next - now_ms ())) > 0) {
                char buf[256];
                ssize_t r = read (s, buf, sizeof buf);
                if (r <= 0) {
                    notify ("closed %d %lld", i + 1,
                            (long long) (now_ms () - t0));
                    return;
                }
            }
        }
    }
    notify ("complete");
}

static void slow_greeting (int s, int ivl)
{
    unsigned char g[64];
    zmtp_greeting (g);
    slow_bytes (s, g, 64, ivl);
}

static int role_slow_client (int port)
{
    int s = raw_connect (port);
    notify ("connected");
    slow_greeting (s, 1000);
    return 0;
}

/* The greeting at once, then READY one byte a second. */
static int role_slow_ready_client (int port)
{
    int s = raw_connect (port);
    notify ("connected");
    unsigned char buf[128];
    zmtp_greeting (buf);
    CHECK (write_all (s, buf, 64) == 0);
    if (read_all (s, buf, 64, 5000) < 0) {
        notify ("closed 0 0 no-greeting");
        return 1;
    }
    size_t n = zmtp_ready (buf, "DEALER");
    slow_bytes (s, buf, (int) n, 1000);
    return 0;
}

static int role_slow_server (int port)
{
    int l = raw_listen (port);
    notify ("listening");
    struct pollfd pf = {l, POLLIN, 0};
    if (poll (&pf, 1, 10000) <= 0) {
        notify ("no-connection");
        return 1;
    }
    int s = accept (l, NULL, NULL);
    CHECK (s >= 0);
    slow_greeting (s, 1000);
    /* The next attempt waits in the backlog, unserved. */
    while (1)
        pause ();
}

static int role_chat (int port)
{
    void *ctx = zmq_ctx_new ();
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    char ep[64];
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    CHECK (zmq_connect (dealer, ep) == 0);
    set_int (dealer, ZMQ_RCVTIMEO, 1000);
    int ok = 0;
    int64_t worst = 0;
    for (int i = 0; i < 25; i++) {
        char text[16], back[16];
        int len = snprintf (text, sizeof text, "c%d", i);
        int64_t t0 = now_ms ();
        CHECK (zmq_send (dealer, text, (size_t) len, 0) == len);
        int n = zmq_recv (dealer, back, sizeof back, 0);
        int64_t rtt = now_ms () - t0;
        if (n == len && memcmp (text, back, (size_t) len) == 0) {
            ok++;
            if (i > 0 && rtt > worst)
                worst = rtt;
        }
        msleep (100);
    }
    notify ("chat %d %lld", ok, (long long) worst);
    set_int (dealer, ZMQ_LINGER, 0);
    zmq_close (dealer);
    zmq_ctx_term (ctx);
    return 0;
}

static void part_a (void *ctx, int slow_ready)
{
    const char *v = slow_ready ? "c" : "a";
    char ph[64];
    char p[16], line[256];
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    set_int (router, ZMQ_HANDSHAKE_IVL, 2000);
    CHECK (zmq_bind (router, "tcp://127.0.0.1:*") == 0);
    snprintf (p, sizeof p, "%d", endpoint_port (router));
    monitor_t *m = monitor_start (ctx, router, "router");
    int mark = 0;

    snprintf (ph, sizeof ph, "%s-slow-and-chat", v);
    phase (ph);
    child_t *slow =
      spawn (slow_ready ? "slow-ready-client" : "slow-client", p, NULL, NULL);
    CHECK (child_expect (slow, "connected", line, sizeof line, 5000));
    int64_t t_accept = monitor_wait (m, &mark, ZMQ_EVENT_ACCEPTED, -1, 2000);
    int slow_fd = -1;
    if (t_accept >= 0)
        slow_fd = m->ev[mark - 1].value;
    child_t *chat = spawn ("chat", p, NULL, NULL);
    /* Serve the chat until both children report. */
    char slow_said[256] = "", chat_said[256] = "";
    int64_t deadline = now_ms () + 8000;
    set_int (router, ZMQ_RCVTIMEO, 20);
    while (now_ms () < deadline && (!slow_said[0] || !chat_said[0])) {
        zmq_msg_t id, body;
        zmq_msg_init (&id);
        zmq_msg_init (&body);
        if (zmq_msg_recv (&id, router, 0) >= 0) {
            CHECK (zmq_msg_recv (&body, router, 0) >= 0);
            zmq_msg_send (&id, router, ZMQ_SNDMORE);
            zmq_msg_send (&body, router, 0);
        }
        zmq_msg_close (&id);
        zmq_msg_close (&body);
        if (!slow_said[0] && child_read_line (slow, line, sizeof line, 0))
            snprintf (slow_said, sizeof slow_said, "%s", line);
        if (!chat_said[0] && child_read_line (chat, line, sizeof line, 0))
            snprintf (chat_said, sizeof chat_said, "%s", line);
    }
    int bytes = -1, ms = -1;
    int dropped = sscanf (slow_said, "closed %d %d", &bytes, &ms) == 2;
    out ("fact %s_slow_peer_dropped %s", v, dropped ? "yes" : slow_said);
    if (dropped)
        out ("figure %s_slow_peer_dropped_after_ms %d (%d bytes sent)", v, ms,
             bytes);
    int from = 0;
    int64_t t_disc = slow_fd >= 0 ? monitor_wait (m, &from,
                                                  ZMQ_EVENT_DISCONNECTED,
                                                  slow_fd, 100)
                                  : -1;
    out ("fact %s_slow_peer_disconnected_event %s", v, t_disc >= 0 ? "yes" : "no");
    if (t_disc >= 0)
        out ("figure %s_disconnected_after_accept_ms %lld", v,
             (long long) (t_disc - t_accept));
    from = 0;
    int64_t t_fail = monitor_wait (m, &from,
                                   ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, -1, 0);
    if (t_fail >= 0)
        out ("figure %s_handshake_failed_errno %d", v, m->ev[from - 1].value);
    int ok = -1, worst = -1;
    sscanf (chat_said, "chat %d %d", &ok, &worst);
    out ("fact %s_chat_round_trips %d/25", v, ok);
    out ("figure %s_chat_worst_round_trip_ms %d", v, worst);
    child_kill (slow, SIGKILL);
    child_reap (slow, 1000);
    child_reap (chat, 2000);
    msleep (100);

    snprintf (ph, sizeof ph, "%s-end", v);
    phase (ph);
    monitor_stop (m, router);
    set_int (router, ZMQ_LINGER, 0);
    zmq_close (router);
}

static void part_b (void *ctx)
{
    int port = free_port ();
    char p[16], ep[64], line[256];
    snprintf (p, sizeof p, "%d", port);
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    set_int (dealer, ZMQ_HANDSHAKE_IVL, 1500);
    set_int (dealer, ZMQ_RECONNECT_IVL, 300);
    monitor_t *m = monitor_start (ctx, dealer, "dealer");
    int mark = 0;

    phase ("b-slow-server");
    child_t *slow = spawn ("slow-server", p, NULL, NULL);
    CHECK (child_expect (slow, "listening", line, sizeof line, 5000));
    CHECK (zmq_connect (dealer, ep) == 0);
    int64_t t_conn = monitor_wait (m, &mark, ZMQ_EVENT_CONNECTED, -1, 2000);
    int64_t t_disc = monitor_wait (m, &mark, ZMQ_EVENT_DISCONNECTED, -1, 5000);
    out ("fact b_disconnected %s", t_disc >= 0 ? "yes" : "no");
    if (t_conn >= 0 && t_disc >= 0)
        out ("figure b_disconnected_after_connect_ms %lld",
             (long long) (t_disc - t_conn));
    int again = monitor_wait (m, &mark, ZMQ_EVENT_CONNECTED, -1, 2000) >= 0;
    out ("fact b_connected_again %s", again ? "yes" : "no");
    if (child_expect (slow, "closed", line, sizeof line, 1000))
        out ("figure b_slow_server_saw %s", line);
    else
        out ("fact b_slow_server_not_closed");
    child_kill (slow, SIGKILL);
    child_reap (slow, 1000);
    msleep (100);

    phase ("b-end");
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
        if (!strcmp (argv[1], "slow-client"))
            return role_slow_client (port);
        if (!strcmp (argv[1], "slow-ready-client"))
            return role_slow_ready_client (port);
        if (!strcmp (argv[1], "slow-server"))
            return role_slow_server (port);
        if (!strcmp (argv[1], "chat"))
            return role_chat (port);
        return 2;
    }
    void *ctx = zmq_ctx_new ();
    if (argc < 2 || strchr (argv[1], 'a'))
        part_a (ctx, 0);
    if (argc < 2 || strchr (argv[1], 'c'))
        part_a (ctx, 1);
    if (argc < 2 || strchr (argv[1], 'b'))
        part_b (ctx);
    zmq_ctx_term (ctx);
    out ("done");
    return 0;
}
