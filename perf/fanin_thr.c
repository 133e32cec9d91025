/* Fan-in for perf/run.py: PUSHERS PUSH sockets into one PULL.
 *
 *   fanin_thr pull <bind-to>    <message-size> <message-count> <pushers>
 *   fanin_thr push <connect-to> <message-size> <message-count> <pushers>
 *
 * "push" connects that many PUSH sockets from one thread and sends
 * message-count messages on each, round-robin (one on each socket in turn;
 * a full pipe blocks as a PUSH does). "pull" binds one PULL and receives
 * message-count x pushers messages; it prints upstream local_thr's lines for
 * them, from the first message received to the last. Plain C99 on zmq.h,
 * compiled like upstream's perf programs.
 */
#include "../include/zmq.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail (const char *what)
{
    printf ("error in %s: %s\n", what, zmq_strerror (zmq_errno ()));
    return -1;
}

static int pull (void *ctx, const char *ep, size_t size, long count, int pushers)
{
    void *s = zmq_socket (ctx, ZMQ_PULL), *watch = NULL;
    double total = (double) count * pushers, throughput;
    unsigned long elapsed;
    long i, n = count * pushers;
    zmq_msg_t msg;
    if (!s)
        return fail ("zmq_socket");
    if (zmq_bind (s, ep) != 0)
        return fail ("zmq_bind");
    zmq_msg_init (&msg);
    for (i = 0; i < n; i++) {
        if (zmq_msg_recv (&msg, s, 0) < 0)
            return fail ("zmq_msg_recv");
        if (zmq_msg_size (&msg) != size) {
            printf ("message of incorrect size received\n");
            return -1;
        }
        if (!watch)
            watch = zmq_stopwatch_start ();
    }
    elapsed = zmq_stopwatch_stop (watch);
    if (elapsed == 0)
        elapsed = 1;
    zmq_msg_close (&msg);
    throughput = total / (double) elapsed * 1000000;
    printf ("message size: %d [B]\n", (int) size);
    printf ("message count: %.0f\n", total);
    printf ("mean throughput: %d [msg/s]\n", (int) throughput);
    printf ("mean throughput: %.3f [Mb/s]\n", throughput * (double) size * 8 / 1000000);
    zmq_close (s);
    return 0;
}

static int push (void *ctx, const char *ep, size_t size, long count, int pushers)
{
    void **s = calloc ((size_t) pushers, sizeof *s);
    long i;
    int j;
    zmq_msg_t msg;
    if (!s)
        return fail ("calloc");
    for (j = 0; j < pushers; j++) {
        s[j] = zmq_socket (ctx, ZMQ_PUSH);
        if (!s[j])
            return fail ("zmq_socket");
        if (zmq_connect (s[j], ep) != 0)
            return fail ("zmq_connect");
    }
    for (i = 0; i < count; i++) {
        for (j = 0; j < pushers; j++) {
            if (zmq_msg_init_size (&msg, size) != 0)
                return fail ("zmq_msg_init_size");
            if (zmq_msg_send (&msg, s[j], 0) < 0)
                return fail ("zmq_msg_send");
        }
    }
    for (j = 0; j < pushers; j++)
        zmq_close (s[j]);
    free (s);
    return 0;
}

int main (int argc, char *argv[])
{
    void *ctx;
    int rc, pushers;
    long count;
    size_t size;
    if (argc != 6 || (strcmp (argv[1], "pull") != 0 && strcmp (argv[1], "push") != 0)) {
        printf ("usage: fanin_thr pull|push <endpoint> <message-size> <message-count>"
                " <pushers>\n");
        return 1;
    }
    size = (size_t) atol (argv[3]);
    count = atol (argv[4]);
    pushers = atoi (argv[5]);
    if (count < 1 || pushers < 1) {
        printf ("usage: message-count and pushers start at 1\n");
        return 1;
    }
    ctx = zmq_ctx_new ();
    if (!ctx)
        return fail ("zmq_ctx_new");
    rc = strcmp (argv[1], "pull") == 0 ? pull (ctx, argv[2], size, count, pushers)
                                       : push (ctx, argv[2], size, count, pushers);
    if (rc != 0)
        return 255;
    if (zmq_ctx_term (ctx) != 0)
        return fail ("zmq_ctx_term"), 255;
    return 0;
}
