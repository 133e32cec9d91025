/* PUB fan-out for perf/run.py: one publisher, SUBS subscribers.
 *
 *   fanout_thr pub <bind-to>    <message-size> <message-count> <subscribers>
 *   fanout_thr sub <connect-to> <message-size> <message-count> <subscribers>
 *
 * "pub" binds an XPUB (PUB's distribution, plus the subscriptions it can
 * count) with ZMQ_XPUB_VERBOSE, waits until all the subscribers' (empty)
 * subscriptions have arrived, so no message goes to a subscriber that is not
 * there yet, then publishes message-count messages. ZMQ_XPUB_NODROP makes a
 * full pipe block the publisher instead of dropping: every subscriber gets
 * every message and the run measures delivery, not loss.
 * "sub" connects that many SUB sockets from one thread, subscribes to
 * everything and receives the messages round-robin, one from each
 * subscriber in turn, until each has message-count; it prints upstream
 * local_thr's lines for all the deliveries (message-count x subscribers)
 * from the first message received to the last. Plain C99 on zmq.h,
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

static int pub (void *ctx, const char *ep, size_t size, long count, int subs)
{
    void *s = zmq_socket (ctx, ZMQ_XPUB);
    int one = 1, seen = 0;
    long i;
    zmq_msg_t msg;
    if (!s)
        return fail ("zmq_socket");
    if (zmq_setsockopt (s, ZMQ_XPUB_VERBOSE, &one, sizeof one) != 0
        || zmq_setsockopt (s, ZMQ_XPUB_NODROP, &one, sizeof one) != 0)
        return fail ("zmq_setsockopt");
    if (zmq_bind (s, ep) != 0)
        return fail ("zmq_bind");
    while (seen < subs) {
        zmq_msg_init (&msg);
        if (zmq_msg_recv (&msg, s, 0) < 0)
            return fail ("zmq_msg_recv");
        if (zmq_msg_size (&msg) >= 1 && ((unsigned char *) zmq_msg_data (&msg))[0] == 1)
            seen++;
        zmq_msg_close (&msg);
    }
    for (i = 0; i < count; i++) {
        if (zmq_msg_init_size (&msg, size) != 0)
            return fail ("zmq_msg_init_size");
        if (zmq_msg_send (&msg, s, 0) < 0)
            return fail ("zmq_msg_send");
    }
    zmq_close (s);
    return 0;
}

static int sub (void *ctx, const char *ep, size_t size, long count, int subs)
{
    void **s = calloc ((size_t) subs, sizeof *s);
    void *watch = NULL;
    unsigned long elapsed;
    double total = (double) count * subs, throughput;
    long i;
    int j;
    zmq_msg_t msg;
    if (!s)
        return fail ("calloc");
    for (j = 0; j < subs; j++) {
        s[j] = zmq_socket (ctx, ZMQ_SUB);
        if (!s[j])
            return fail ("zmq_socket");
        if (zmq_setsockopt (s[j], ZMQ_SUBSCRIBE, "", 0) != 0)
            return fail ("zmq_setsockopt");
        if (zmq_connect (s[j], ep) != 0)
            return fail ("zmq_connect");
    }
    zmq_msg_init (&msg);
    for (i = 0; i < count; i++) {
        for (j = 0; j < subs; j++) {
            if (zmq_msg_recv (&msg, s[j], 0) < 0)
                return fail ("zmq_msg_recv");
            if (zmq_msg_size (&msg) != size) {
                printf ("message of incorrect size received\n");
                return -1;
            }
            if (!watch)
                watch = zmq_stopwatch_start ();
        }
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
    for (j = 0; j < subs; j++)
        zmq_close (s[j]);
    free (s);
    return 0;
}

int main (int argc, char *argv[])
{
    void *ctx;
    int rc, subs;
    long count;
    size_t size;
    if (argc != 6 || (strcmp (argv[1], "pub") != 0 && strcmp (argv[1], "sub") != 0)) {
        printf ("usage: fanout_thr pub|sub <endpoint> <message-size> <message-count>"
                " <subscribers>\n");
        return 1;
    }
    size = (size_t) atol (argv[3]);
    count = atol (argv[4]);
    subs = atoi (argv[5]);
    if (count < 1 || subs < 1) {
        printf ("usage: message-count and subscribers start at 1\n");
        return 1;
    }
    ctx = zmq_ctx_new ();
    if (!ctx)
        return fail ("zmq_ctx_new");
    rc = argv[1][0] == 'p' ? pub (ctx, argv[2], size, count, subs)
                           : sub (ctx, argv[2], size, count, subs);
    if (rc != 0)
        return 255;
    if (zmq_ctx_term (ctx) != 0)
        return fail ("zmq_ctx_term"), 255;
    return 0;
}
