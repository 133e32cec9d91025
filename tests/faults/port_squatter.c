/* Fault 4: the listener's port taken by another process between
 * reconnects.
 *
 * A DEALER of the library under test (ZMQ_RECONNECT_IVL 100 ms) is
 * connected to an echoing ROUTER in a child and exchanges a message. The
 * server is killed; the DEALER queues three messages (within its HWM);
 * another process takes the port for 800 ms; it leaves; a real server
 * binds the port again. The DEALER must keep retrying with libzmq's
 * events, reconnect, and deliver the queued messages as libzmq does.
 * Two rounds, two squatters:
 *   close:   a plain tcp listener that accepts and closes at once;
 *   garbage: one that answers every connection with an SSH banner (not
 *            ZMTP; libzmq reads its first byte, 'S', as a ZMTP 1.0 frame
 *            length) and reads what it is sent, closing after 300 ms.
 *   zmtp:    a peer speaking ZMTP 3.0 (greeting and READY at once) as a
 *            PUB, a socket type the DEALER cannot talk to. libzmq takes that for a protocol error,
 *            which ends a connect for good (no reconnect, the queued
 *            messages go with the pipe); this round comes last.
 * The squatter reports how many connections it took, the bytes it read
 * and whether any queued message reached it (lost there). */
#include "fault.h"

static volatile sig_atomic_t stop_flag;
static void on_term (int sig)
{
    (void) sig;
    stop_flag = 1;
}

#define SQUAT_MAX 64
/* mode 0: accept and close; 1: an SSH banner; 2: a ZMTP 3.0 greeting and
 * READY of a PUB. */
static int role_squatter (int port, int mode)
{
    signal (SIGTERM, on_term);
    int l = raw_listen (port);
    notify ("listening");
    int conns[SQUAT_MAX];
    int64_t since[SQUAT_MAX];
    int n = 0, accepted = 0;
    long long bytes = 0;
    int saw_messages = 0;
    static const char banner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";
    while (!stop_flag) {
        struct pollfd pf[SQUAT_MAX + 1];
        pf[0].fd = l;
        pf[0].events = POLLIN;
        for (int i = 0; i < n; i++) {
            pf[i + 1].fd = conns[i];
            pf[i + 1].events = POLLIN;
        }
        int r = poll (pf, (nfds_t) n + 1, 20);
        if (r < 0)
            continue;
        if (pf[0].revents & POLLIN) {
            int s = accept (l, NULL, NULL);
            if (s >= 0) {
                accepted++;
                if (!mode || n == SQUAT_MAX)
                    close (s);
                else {
                    unsigned char hello[128];
                    size_t len = sizeof banner - 1;
                    if (mode == 1)
                        memcpy (hello, banner, len);
                    else {
                        zmtp_greeting (hello);
                        len = 64 + zmtp_ready (hello + 64, "PUB");
                    }
                    if (write (s, hello, len) < 0) {
                    }
                    conns[n] = s;
                    since[n] = now_ms ();
                    n++;
                }
            }
        }
        for (int i = n - 1; i >= 0; i--) {
            int gone = 0;
            if (pf[i + 1].revents) {
                char buf[4096];
                ssize_t k = read (conns[i], buf, sizeof buf);
                if (k <= 0)
                    gone = 1;
                else {
                    bytes += k;
                    if (memmem (buf, (size_t) k, "-q", 2))
                        saw_messages = 1;
                }
            }
            if (gone || now_ms () - since[i] > 300) {
                close (conns[i]);
                conns[i] = conns[n - 1];
                since[i] = since[n - 1];
                n--;
            }
        }
    }
    notify ("squatter %d %lld %s", accepted, bytes,
            saw_messages ? "messages" : "no-messages");
    return 0;
}

static child_t *start_server (const char *p)
{
    char line[64];
    child_t *c = spawn ("zmq-echo", p, NULL, NULL);
    CHECK (child_expect (c, "bound", line, sizeof line, 5000));
    return c;
}

static const char *event_list (monitor_t *m, int from, char *buf, size_t size)
{
    /* Distinct events, in order of first occurrence, with counts. */
    int kinds[32], counts[32], nk = 0;
    pthread_mutex_lock (&m->lock);
    for (int i = from; i < m->n; i++) {
        int k;
        for (k = 0; k < nk && kinds[k] != m->ev[i].event; k++) {
        }
        if (k == nk && nk < 32) {
            kinds[nk] = m->ev[i].event;
            counts[nk++] = 0;
        }
        if (k < nk)
            counts[k]++;
    }
    pthread_mutex_unlock (&m->lock);
    buf[0] = 0;
    for (int k = 0; k < nk; k++) {
        size_t len = strlen (buf);
        snprintf (buf + len, size - len, "%s%s x%d", k ? ", " : "",
                  event_name (kinds[k]), counts[k]);
    }
    return buf;
}

int main (int argc, char **argv)
{
    fault_init (argv);
    if (argc >= 4) {
        notify_fd = atoi (argv[2]);
        int port = atoi (argv[3]);
        if (!strcmp (argv[1], "zmq-echo"))
            return role_zmq_echo (port);
        if (!strcmp (argv[1], "squat-close"))
            return role_squatter (port, 0);
        if (!strcmp (argv[1], "squat-garbage"))
            return role_squatter (port, 1);
        if (!strcmp (argv[1], "squat-zmtp"))
            return role_squatter (port, 2);
        return 2;
    }
    int port = free_port ();
    char p[16], ep[64], line[256], text[64], evs[512];
    snprintf (p, sizeof p, "%d", port);
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);

    void *ctx = zmq_ctx_new ();
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    set_int (dealer, ZMQ_RECONNECT_IVL, 100);
    monitor_t *m = monitor_start (ctx, dealer, "dealer");
    int mark = 0;
    phase ("start");
    child_t *server = start_server (p);
    CHECK (zmq_connect (dealer, ep) == 0);

    const char *rounds[] = {"close", "garbage", "zmtp"};
    for (int r = 0; r < 3; r++) {
        int last = r == 2; /* the connect does not survive it */
        if (argc >= 2 && !strstr (argv[1], rounds[r]))
            continue;
        char name[64], msg[32], got[512] = "";
        snprintf (name, sizeof name, "%s-server-up", rounds[r]);
        phase (name);
        snprintf (msg, sizeof msg, "%s-m1", rounds[r]);
        CHECK (zmq_send (dealer, msg, strlen (msg), 0) == (int) strlen (msg));
        out ("fact %s_echo_before %s", rounds[r],
             recv_text (dealer, text, sizeof text, 5000) >= 0 ? text
                                                              : "timeout");

        snprintf (name, sizeof name, "%s-server-dies", rounds[r]);
        phase (name);
        mark = monitor_mark (m);
        child_kill (server, SIGKILL);
        child_reap (server, 2000);
        int64_t t = monitor_wait (m, &mark, ZMQ_EVENT_DISCONNECTED, -1, 3000);
        out ("fact %s_disconnected %s", rounds[r], t >= 0 ? "yes" : "no");
        for (int i = 1; i <= 3; i++) {
            snprintf (msg, sizeof msg, "%s-q%d", rounds[r], i);
            CHECK (zmq_send (dealer, msg, strlen (msg), ZMQ_DONTWAIT)
                   == (int) strlen (msg));
        }
        msleep (300);

        snprintf (name, sizeof name, "%s-squatter", rounds[r]);
        phase (name);
        int from = monitor_mark (m);
        snprintf (name, sizeof name, "squat-%s", rounds[r]);
        child_t *squatter = spawn (name, p, NULL, NULL);
        CHECK (child_expect (squatter, "listening", line, sizeof line, 5000));
        msleep (800);
        out ("figure %s_events_while_squatted %s", rounds[r],
             event_list (m, from, evs, sizeof evs));
        child_kill (squatter, SIGTERM);
        int accepted = 0;
        long long bytes = 0;
        char what[32] = "";
        if (child_expect (squatter, "squatter", line, sizeof line, 2000)
            && sscanf (line, "squatter %d %lld %31s", &accepted, &bytes, what)
                 == 3) {
            out ("figure %s_squatter_took %d connections, read %lld bytes",
                 rounds[r], accepted, bytes);
            out ("fact %s_squatter_retried %s", rounds[r],
                 accepted > 1 ? "yes" : "no");
            out ("fact %s_squatter_got_queued_messages %s", rounds[r],
                 strcmp (what, "messages") ? "no" : "yes");
        } else
            out ("fact %s_squatter_report none", rounds[r]);
        child_reap (squatter, 2000);
        msleep (200);

        snprintf (name, sizeof name, "%s-server-back", rounds[r]);
        phase (name);
        mark = monitor_mark (m);
        int64_t t0 = since_start ();
        server = start_server (p);
        snprintf (msg, sizeof msg, "%s-m2", rounds[r]);
        int rc = zmq_send (dealer, msg, strlen (msg), ZMQ_DONTWAIT);
        /* After the zmtp round libzmq sometimes takes this one into the
         * pipe of the connect it has just ended (and drops it): a race
         * with its own commands, so a figure; the next send is the fact. */
        out ("%s %s_send_after_server_back %s", last ? "figure" : "fact",
             rounds[r],
             rc == (int) strlen (msg) ? "ok" : zmq_strerror (errno));
        if (last) {
            msleep (100);
            rc = zmq_send (dealer, "again", 5, ZMQ_DONTWAIT);
            out ("fact %s_next_send %s", rounds[r],
                 rc == 5 ? "ok" : zmq_strerror (errno));
        }
        int64_t t_hs = monitor_wait (
          m, &mark, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, -1, last ? 1000 : 3000);
        out ("fact %s_reconnected %s", rounds[r], t_hs >= 0 ? "yes" : "no");
        if (t_hs >= 0)
            out ("figure %s_reconnected_after_server_back_ms %lld", rounds[r],
                 (long long) (t_hs - t0));
        while (recv_text (dealer, text, sizeof text, last ? 300 : 3000) >= 0) {
            append (got, sizeof got, text);
            if (strstr (text, "-m2"))
                break;
        }
        out ("fact %s_delivered_after_server_back %s", rounds[r],
             got[0] ? got : "-");
    }
    phase ("end");
    mark = monitor_mark (m);
    child_kill (server, SIGKILL);
    child_reap (server, 2000);
    /* Unless the zmtp round ended the connect, it sees the server go. */
    if (argc >= 2 && !strstr (argv[1], "zmtp")) {
        monitor_wait (m, &mark, ZMQ_EVENT_DISCONNECTED, -1, 2000);
        monitor_wait (m, &mark, ZMQ_EVENT_CONNECT_RETRIED, -1, 1000);
    }
    monitor_stop (m, dealer);
    set_int (dealer, ZMQ_LINGER, 0);
    zmq_close (dealer);
    zmq_ctx_term (ctx);
    out ("done");
    return 0;
}
