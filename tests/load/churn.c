/* Connect/disconnect churn against one bound ROUTER: N cycles (default
 * 100,000) of a DEALER that connects over tcp, sends one message the ROUTER
 * receives, and closes with linger 0. RSS is read after the warm-up (the
 * first tenth of the cycles) and at the end; the growth in between is the
 * figure (bound: 1 MiB, applied by run.py).
 *
 *   churn [N]   ->   RESULT cycles=N ms=... rss_warm_kb=... rss_end_kb=...
 *                    growth_kb=... marks=KB,KB,... (RSS after each tenth) */
#include "load.h"
#include <zmq.h>

int main (int argc, char **argv)
{
    int n = argc > 1 ? atoi (argv[1]) : 100000;
    int step = n / 10 > 0 ? n / 10 : 1, linger = 0;
    long marks[10] = {0}, nmarks = 0;
    char ep[64], buf[16];
    size_t eplen = sizeof ep;
    void *ctx = zmq_ctx_new ();
    CHECK (ctx);
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    CHECK (router);
    CHECK (zmq_bind (router, "tcp://127.0.0.1:*") == 0);
    CHECK (zmq_getsockopt (router, ZMQ_LAST_ENDPOINT, ep, &eplen) == 0);
    double t0 = now_ms ();
    for (int i = 1; i <= n; i++) {
        void *dealer = zmq_socket (ctx, ZMQ_DEALER);
        CHECK (dealer);
        CHECK (zmq_setsockopt (dealer, ZMQ_LINGER, &linger, sizeof linger)
               == 0);
        CHECK (zmq_connect (dealer, ep) == 0);
        CHECK (zmq_send (dealer, "x", 1, 0) == 1);
        int more = 0;
        size_t ml = sizeof more;
        zmq_pollitem_t item = {router, 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, 10000) != 1) {
            fprintf (stderr, "cycle %d: nothing arrived in 10 s\n", i);
            return 1;
        }
        CHECK (zmq_recv (router, buf, sizeof buf, 0) >= 0); /* routing id */
        CHECK (zmq_getsockopt (router, ZMQ_RCVMORE, &more, &ml) == 0
               && more);
        CHECK (zmq_recv (router, buf, sizeof buf, 0) == 1 && buf[0] == 'x');
        CHECK (zmq_close (dealer) == 0);
        if (i % step == 0 && nmarks < 10)
            marks[nmarks++] = rss_kb ();
    }
    double ms = now_ms () - t0;
    long warm = marks[0], end = marks[nmarks - 1];
    printf ("RESULT cycles=%d ms=%.0f rss_warm_kb=%ld rss_end_kb=%ld "
            "growth_kb=%ld marks=",
            n, ms, warm, end, end - warm);
    for (int k = 0; k < nmarks; k++)
        printf ("%s%ld", k ? "," : "", marks[k]);
    printf ("\n");
    CHECK (zmq_close (router) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    return 0;
}
