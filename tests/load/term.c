/* How long zmq_ctx_term takes after the last zmq_close, whatever the peer
 * does, with LINGER 0 and with a positive LINGER. Peers (raw sockets held
 * by this process, never a libzmq socket):
 *   stalled   a PULL peer that completes the ZMTP handshake and never reads;
 *             a PUSH sends it MSGS messages of 64 KB first (most queued);
 *   handshake a listener that accepts and sends half a greeting, nothing
 *             more, never reads; a DEALER has one message queued;
 *   nobody    a DEALER connected to a port nobody listens on, one message
 *             queued (reconnecting all the while);
 *   many      MANY DEALERs each stuck mid-handshake as above and MANY
 *             connected to nobody, one message queued in each, closed in
 *             turn.
 *
 *   term [LINGER_MS]  ->  RESULT linger=L stalled_ms=... handshake_ms=...
 *                         nobody_ms=... many_ms=... many_close_ms=...
 * Each figure is from just before the last zmq_close to the return of
 * zmq_ctx_term. */
#include "load.h"
#include <signal.h>
#include <zmq.h>

#define MSGS 256
#define SIZE 65536
#define MANY 500

static double many_close_ms; /* closing the 2 x MANY sockets but the last */

static double term_after (void *ctx, void *sock)
{
    double t = now_ms ();
    CHECK (zmq_close (sock) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    return now_ms () - t;
}

static void *make (void **ctx, int type, int linger, int port)
{
    char ep[64];
    *ctx = zmq_ctx_new ();
    CHECK (*ctx);
    void *s = zmq_socket (*ctx, type);
    CHECK (s);
    CHECK (zmq_setsockopt (s, ZMQ_LINGER, &linger, sizeof linger) == 0);
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    CHECK (zmq_connect (s, ep) == 0);
    return s;
}

static double stalled (int linger)
{
    int port, lfd = raw_listen (&port);
    void *ctx, *push = make (&ctx, ZMQ_PUSH, linger, port);
    int fd = raw_accept (lfd, 5000);
    unsigned char hs[128];
    size_t n;
    CHECK (fd >= 0);
    zmtp_greeting (hs);
    n = 64 + zmtp_ready (hs + 64, "PULL");
    write_all (fd, hs, n);
    char *body = calloc (1, SIZE);
    CHECK (body);
    /* PUSH blocks without a ready peer: wait for the handshake (the first
     * send that goes through), then queue the rest without blocking. */
    int sent = 0, timeout = 5000;
    CHECK (zmq_setsockopt (push, ZMQ_SNDTIMEO, &timeout, sizeof timeout)
           == 0);
    CHECK (zmq_send (push, body, SIZE, 0) == SIZE);
    for (sent = 1; sent < MSGS; sent++)
        if (zmq_send (push, body, SIZE, ZMQ_DONTWAIT) != SIZE)
            break;
    CHECK (sent == MSGS);
    free (body);
    usleep (50 * 1000); /* let the io thread fill the kernel buffers */
    double ms = term_after (ctx, push);
    close (fd);
    close (lfd);
    return ms;
}

static double handshake (int linger)
{
    int port, lfd = raw_listen (&port);
    void *ctx, *dealer = make (&ctx, ZMQ_DEALER, linger, port);
    int fd = raw_accept (lfd, 5000);
    unsigned char g[64];
    CHECK (fd >= 0);
    zmtp_greeting (g);
    write_all (fd, g, 32);
    CHECK (zmq_send (dealer, "queued", 6, ZMQ_DONTWAIT) == 6);
    usleep (50 * 1000);
    double ms = term_after (ctx, dealer);
    close (fd);
    close (lfd);
    return ms;
}

static double nobody (int linger)
{
    int port, lfd = raw_listen (&port);
    close (lfd); /* the port is now free: nobody listens there */
    void *ctx, *dealer = make (&ctx, ZMQ_DEALER, linger, port);
    CHECK (zmq_send (dealer, "queued", 6, ZMQ_DONTWAIT) == 6);
    usleep (50 * 1000);
    return term_after (ctx, dealer);
}

static double many (int linger)
{
    int port, lfd = raw_listen (&port), dead, nfd = 0;
    int fds[MANY];
    char ep[64], ep_dead[64];
    unsigned char g[64];
    void *ctx = zmq_ctx_new (), *s[2 * MANY];
    CHECK (ctx);
    CHECK (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 2 * MANY + 16) == 0);
    close (raw_listen (&dead));
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    snprintf (ep_dead, sizeof ep_dead, "tcp://127.0.0.1:%d", dead);
    for (int i = 0; i < 2 * MANY; i++) {
        s[i] = zmq_socket (ctx, ZMQ_DEALER);
        CHECK (s[i]);
        CHECK (zmq_setsockopt (s[i], ZMQ_LINGER, &linger, sizeof linger)
               == 0);
        CHECK (zmq_connect (s[i], i < MANY ? ep : ep_dead) == 0);
        CHECK (zmq_send (s[i], "queued", 6, ZMQ_DONTWAIT) == 6);
    }
    zmtp_greeting (g);
    while (nfd < MANY) {
        int fd = raw_accept (lfd, 5000);
        CHECK (fd >= 0);
        write_all (fd, g, 32);
        fds[nfd++] = fd;
    }
    usleep (50 * 1000);
    double t = now_ms ();
    for (int i = 0; i < 2 * MANY - 1; i++)
        CHECK (zmq_close (s[i]) == 0);
    many_close_ms = now_ms () - t;
    double ms = term_after (ctx, s[2 * MANY - 1]);
    for (int i = 0; i < nfd; i++)
        close (fds[i]);
    close (lfd);
    return ms;
}

int main (int argc, char **argv)
{
    int linger = argc > 1 ? atoi (argv[1]) : 0;
    signal (SIGPIPE, SIG_IGN);
    raise_nofile ();
    double a = stalled (linger), b = handshake (linger), c = nobody (linger);
    double d = many (linger);
    printf ("RESULT linger=%d stalled_ms=%.1f handshake_ms=%.1f "
            "nobody_ms=%.1f many_ms=%.1f many_close_ms=%.1f\n",
            linger, a, b, c, d, many_close_ms);
    return 0;
}
