/* How long zmq_ctx_term takes after the last zmq_close, whatever the peer
 * does, with LINGER 0 and with a positive LINGER. Peers (raw sockets held
 * by this process, never a libzmq socket):
 *   stalled   a PULL peer that completes the ZMTP handshake and never reads;
 *             a PUSH sends it MSGS messages of 64 KB first (most queued);
 *   handshake a listener that accepts and sends half a greeting, nothing
 *             more, never reads; a DEALER has one message queued;
 *   nobody    a DEALER connected to a port nobody listens on, one message
 *             queued (reconnecting all the while).
 *
 *   term [LINGER_MS]  ->  RESULT linger=L stalled_ms=... handshake_ms=...
 *                         nobody_ms=...
 * Each figure is from just before the last zmq_close to the return of
 * zmq_ctx_term. */
#include "load.h"
#include <signal.h>
#include <zmq.h>

#define MSGS 256
#define SIZE 65536

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

int main (int argc, char **argv)
{
    int linger = argc > 1 ? atoi (argv[1]) : 0;
    signal (SIGPIPE, SIG_IGN);
    double a = stalled (linger), b = handshake (linger), c = nobody (linger);
    printf ("RESULT linger=%d stalled_ms=%.1f handshake_ms=%.1f "
            "nobody_ms=%.1f\n",
            linger, a, b, c);
    return 0;
}
