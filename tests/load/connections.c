/* N concurrent tcp connections to one ROUTER (default 10,000): each
 * connection sends one message and receives the ROUTER's reply, all of
 * them stay open until every reply has arrived; then the ROUTER process's
 * RSS is read. The connections are raw ZMTP 3.0 DEALER clients driven by
 * epoll in a forked child that never touches libzmq (so each side needs
 * only N descriptors, and the memory measured is the ROUTER's alone).
 *
 * A libzmq DEALER also times ROUNDS round trips through the ROUTER before
 * the N connect and again while they are all open.
 *
 *   connections [N]   ->   RESULT conns=N lost=0 ms=... rss_base_kb=...
 *                          rss_peak_kb=... bytes_per_conn=...
 *                          rt_alone_us=... rt_busy_us=... */
#include "load.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <zmq.h>

#define WINDOW 200 /* connections between connect and reply at a time */
#define ROUNDS 2000 /* round trips timed, alone and beside the N */

struct conn
{
    int fd;
    int state; /* 0 idle, 1 connecting, 2 waiting for the reply, 3 done */
    unsigned char sent; /* the message is out */
    unsigned short have;
    unsigned char buf[256];
};

/* The greeting and READY go first; the message only once the ROUTER's
 * READY has arrived: libzmq 4.3.5 takes a message pipelined behind the
 * client's READY, before its own READY is out, for an unexpected command
 * and drops the connection (ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND),
 * where ours accepts it; a libzmq client always waits. */
static size_t build_hello (unsigned char *out)
{
    zmtp_greeting (out);
    return 64 + zmtp_ready (out + 64, "DEALER");
}

static size_t build_request (unsigned char *out, int i)
{
    out[0] = 0;
    out[1] = 8;
    snprintf ((char *) out + 2, 9, "%08d", i);
    return 10;
}

/* Returns 1 when the reply is complete and right, 2 when the ROUTER's
 * READY (a command) is in but no message yet, 0 when more bytes are needed,
 * -1 when it is wrong. */
static int parse_reply (struct conn *c, int i)
{
    size_t off = 64;
    int ready = 0;
    char want[9];
    snprintf (want, sizeof want, "%08d", i);
    while (off + 2 <= c->have) {
        unsigned flags = c->buf[off];
        size_t size, hdr;
        if (flags & 0x02) {
            if (off + 9 > c->have)
                return 0;
            size = 0;
            for (int k = 0; k < 8; k++)
                size = size << 8 | c->buf[off + 1 + k];
            hdr = 9;
        } else {
            size = c->buf[off + 1];
            hdr = 2;
        }
        if (off + hdr + size > c->have)
            return off + hdr + size > sizeof c->buf ? -1 : ready ? 2 : 0;
        if (!(flags & 0x04)) /* a message frame: the reply */
            return size == 8 && memcmp (c->buf + off + hdr, want, 8) == 0
                     ? 1
                     : -1;
        ready = 1;
        off += hdr + size;
    }
    return ready ? 2 : 0;
}

/* Mean round trip, in microseconds, of `rounds` requests from `dealer`
 * through `router` and back. */
static double round_trips (void *dealer, void *router, int rounds)
{
    char b[16];
    double t = now_ms ();
    for (int k = 0; k < rounds; k++) {
        zmq_msg_t id, body;
        CHECK (zmq_send (dealer, "ping", 4, 0) == 4);
        zmq_msg_init (&id);
        zmq_msg_init (&body);
        CHECK (zmq_msg_recv (&id, router, 0) >= 0);
        CHECK (zmq_msg_recv (&body, router, 0) == 4);
        CHECK (zmq_msg_send (&id, router, ZMQ_SNDMORE) >= 0);
        CHECK (zmq_msg_send (&body, router, 0) == 4);
        CHECK (zmq_recv (dealer, b, sizeof b, 0) == 4);
    }
    return (now_ms () - t) * 1000 / rounds;
}

static int client (int port, int n, int to_parent, int from_parent)
{
    struct sockaddr_in a;
    struct conn *conns = calloc ((size_t) n, sizeof *conns);
    int ep = epoll_create1 (0), next = 0, inflight = 0, done = 0;
    double deadline = now_ms () + 120e3;
    struct epoll_event evs[256];
    CHECK (conns && ep >= 0);
    memset (&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    a.sin_port = htons ((unsigned short) port);
    while (done < n) {
        while (next < n && inflight < WINDOW) {
            struct conn *c = &conns[next];
            struct epoll_event ev = {EPOLLOUT, {.u32 = (uint32_t) next}};
            c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (c->fd < 0) {
                fprintf (stderr, "client: socket #%d: %s\n", next,
                         strerror (errno));
                return 2;
            }
            if (connect (c->fd, (struct sockaddr *) &a, sizeof a) != 0
                && errno != EINPROGRESS) {
                fprintf (stderr, "client: connect #%d: %s\n", next,
                         strerror (errno));
                return 2;
            }
            c->state = 1;
            CHECK (epoll_ctl (ep, EPOLL_CTL_ADD, c->fd, &ev) == 0);
            next++;
            inflight++;
        }
        int k = epoll_wait (ep, evs, 256, 1000);
        CHECK (k >= 0 || errno == EINTR);
        for (int e = 0; e < k; e++) {
            int i = (int) evs[e].data.u32;
            struct conn *c = &conns[i];
            if (c->state == 1) {
                unsigned char req[128];
                size_t len;
                int err = 0;
                socklen_t el = sizeof err;
                getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
                if (err) {
                    fprintf (stderr, "client: connect #%d: %s\n", i,
                             strerror (err));
                    return 2;
                }
                len = build_hello (req);
                CHECK (write (c->fd, req, len) == (ssize_t) len);
                struct epoll_event ev = {EPOLLIN, {.u32 = (uint32_t) i}};
                CHECK (epoll_ctl (ep, EPOLL_CTL_MOD, c->fd, &ev) == 0);
                c->state = 2;
            } else if (c->state == 2) {
                ssize_t r =
                  read (c->fd, c->buf + c->have, sizeof c->buf - c->have);
                if (r <= 0) {
                    fprintf (stderr,
                             "client: #%d closed before its reply (read %zd: "
                             "%s, %u bytes in)\n",
                             i, r, r < 0 ? strerror (errno) : "eof", c->have);
                    return 2;
                }
                c->have += (unsigned short) r;
                int v = parse_reply (c, i);
                if (v < 0) {
                    fprintf (stderr, "client: #%d got a wrong reply\n", i);
                    return 2;
                }
                if (v == 2 && !c->sent) {
                    unsigned char req[16];
                    size_t len = build_request (req, i);
                    CHECK (write (c->fd, req, len) == (ssize_t) len);
                    c->sent = 1;
                }
                if (v == 1) {
                    c->state = 3;
                    CHECK (epoll_ctl (ep, EPOLL_CTL_DEL, c->fd, NULL) == 0);
                    inflight--;
                    done++;
                }
            }
        }
        if (now_ms () > deadline) {
            fprintf (stderr, "client: timed out, %d of %d replies\n", done,
                     n);
            return 2;
        }
    }
    char ok = 'D', go;
    write_all (to_parent, &ok, 1);
    CHECK (read (from_parent, &go, 1) == 1); /* every connection still open */
    for (int i = 0; i < n; i++)
        close (conns[i].fd);
    return 0;
}

int main (int argc, char **argv)
{
    int n = argc > 1 ? atoi (argv[1]) : 10000;
    long limit = raise_nofile ();
    if (n > limit - 64) {
        fprintf (stderr, "RLIMIT_NOFILE %ld: %d connections instead of %d\n",
                 limit, (int) (limit - 64), n);
        n = (int) (limit - 64);
    }
    void *ctx = zmq_ctx_new ();
    CHECK (ctx);
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    int backlog = 1024, port;
    char ep[64];
    size_t eplen = sizeof ep;
    CHECK (router);
    CHECK (zmq_setsockopt (router, ZMQ_BACKLOG, &backlog, sizeof backlog)
           == 0);
    CHECK (zmq_bind (router, "tcp://127.0.0.1:*") == 0);
    CHECK (zmq_getsockopt (router, ZMQ_LAST_ENDPOINT, ep, &eplen) == 0);
    port = atoi (strrchr (ep, ':') + 1);
    /* One libzmq DEALER for round trips through the ROUTER, alone first,
     * then beside the N connections: an io thread or a ROUTER whose work
     * per message grows with the number of connections shows there. */
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0;
    CHECK (dealer);
    CHECK (zmq_setsockopt (dealer, ZMQ_LINGER, &zero, sizeof zero) == 0);
    CHECK (zmq_connect (dealer, ep) == 0);
    round_trips (dealer, router, 10);
    double rt_alone = round_trips (dealer, router, ROUNDS);
    long rss_base = rss_kb ();

    int up[2], down[2];
    CHECK (pipe (up) == 0 && pipe (down) == 0);
    signal (SIGPIPE, SIG_IGN);
    pid_t pid = fork ();
    CHECK (pid >= 0);
    if (pid == 0) {
        close (up[0]);
        close (down[1]);
        _exit (client (port, n, up[1], down[0]));
    }
    close (up[1]);
    close (down[0]);

    double t0 = now_ms ();
    int got = 0;
    while (got < n) {
        zmq_pollitem_t item = {router, 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll (&item, 1, 20000);
        CHECK (rc >= 0);
        if (rc == 0)
            break;
        zmq_msg_t id, body;
        zmq_msg_init (&id);
        zmq_msg_init (&body);
        CHECK (zmq_msg_recv (&id, router, 0) >= 0);
        CHECK (zmq_msg_more (&id));
        CHECK (zmq_msg_recv (&body, router, 0) == 8);
        CHECK (zmq_msg_send (&id, router, ZMQ_SNDMORE) >= 0);
        CHECK (zmq_msg_send (&body, router, 0) == 8);
        got++;
    }
    char d = 0;
    int client_ok = got == n && read (up[0], &d, 1) == 1 && d == 'D';
    double ms = now_ms () - t0;
    long rss_peak = rss_kb ();
    double rt_busy = client_ok ? round_trips (dealer, router, ROUNDS) : 0;
    write_all (down[1], "G", 1);
    int status;
    CHECK (waitpid (pid, &status, 0) == pid);
    if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        client_ok = 0;
    usleep (300 * 1000);
    long rss_after = rss_kb ();
    printf ("RESULT conns=%d lost=%d ms=%.0f rss_base_kb=%ld rss_peak_kb=%ld "
            "rss_after_kb=%ld bytes_per_conn=%.0f rt_alone_us=%.1f "
            "rt_busy_us=%.1f nofile=%ld\n",
            n, n - got, ms, rss_base, rss_peak, rss_after,
            (rss_peak - rss_base) * 1024.0 / n, rt_alone, rt_busy, limit);
    zmq_close (dealer);
    zmq_close (router);
    zmq_ctx_term (ctx);
    return client_ok ? 0 : 1;
}
