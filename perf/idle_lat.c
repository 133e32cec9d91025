/* Round-trip latency beside idle connections, for the io loop's cost per
 * object (docs/perf.md, "Idle connections"):
 *
 *   idle_lat <idle-connections> <round-trips>
 *
 * One context: a ROUTER on tcp with <idle-connections> DEALERs connected
 * to it (both ends on the one io thread, twice that many io objects) and a
 * REQ/REP pair on tcp; after a second for the handshakes, the REQ/REP
 * pair does <round-trips> 64-byte round trips and prints the mean. Plain
 * C99 on zmq.h; run it on either library with LD_PRELOAD.
 */
#include "../include/zmq.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main (int argc, char **argv)
{
    if (argc != 3) {
        fprintf (stderr, "usage: idle_lat <idle-connections> <round-trips>\n");
        return 1;
    }
    int idle = atoi (argv[1]), n = atoi (argv[2]), zero = 0;
    void *ctx = zmq_ctx_new ();
    zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, idle + 10);
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    if (zmq_bind (router, "tcp://127.0.0.1:25601") != 0) {
        perror ("bind");
        return 1;
    }
    void **dealers = malloc (sizeof (void *) * (size_t) idle);
    for (int i = 0; i < idle; i++) {
        dealers[i] = zmq_socket (ctx, ZMQ_DEALER);
        zmq_connect (dealers[i], "tcp://127.0.0.1:25601");
    }
    void *rep = zmq_socket (ctx, ZMQ_REP);
    zmq_bind (rep, "tcp://127.0.0.1:25602");
    void *req = zmq_socket (ctx, ZMQ_REQ);
    zmq_connect (req, "tcp://127.0.0.1:25602");
    nanosleep (&(struct timespec){1, 0}, NULL);

    char buf[64] = {0};
    struct timespec a, b;
    clock_gettime (CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) {
        zmq_send (req, buf, 64, 0);
        zmq_recv (rep, buf, 64, 0);
        zmq_send (rep, buf, 64, 0);
        zmq_recv (req, buf, 64, 0);
    }
    clock_gettime (CLOCK_MONOTONIC, &b);
    double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
    printf ("%d idle connections: %.2f us per round trip\n", idle, ns / n / 1e3);

    for (int i = 0; i < idle; i++) {
        zmq_setsockopt (dealers[i], ZMQ_LINGER, &zero, sizeof zero);
        zmq_close (dealers[i]);
    }
    free (dealers);
    zmq_setsockopt (req, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close (req);
    zmq_close (rep);
    zmq_close (router);
    zmq_ctx_term (ctx);
    return 0;
}
