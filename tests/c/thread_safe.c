/* A thread-safe socket used by two threads at once: while one thread waits
 * in zmq_recv on a CLIENT, another sends on it and polls it at once. */
#include "check.h"
#include <pthread.h>
#include <time.h>
#include <zmq.h>

#if EXPECT_DRAFT
static double now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *client;
static char got[8];
static int got_len = -2;

static void *waiter (void *arg)
{
    (void) arg;
    got_len = zmq_recv (client, got, sizeof got, 0);
    return NULL;
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    void *server = zmq_socket (ctx, ZMQ_SERVER);
    client = zmq_socket (ctx, ZMQ_CLIENT);
    int linger = 0, timeout = 5000;
    CHECK (zmq_setsockopt (server, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK (zmq_setsockopt (client, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK (zmq_setsockopt (client, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK (zmq_bind (server, "tcp://127.0.0.1:*") == 0);
    char endpoint[64];
    size_t len = sizeof endpoint;
    CHECK (zmq_getsockopt (server, ZMQ_LAST_ENDPOINT, endpoint, &len) == 0);
    CHECK (zmq_connect (client, endpoint) == 0);

    pthread_t t;
    CHECK (pthread_create (&t, NULL, waiter, NULL) == 0);
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep (&pause, NULL);

    /* Neither a poll nor a send waits for the blocked receive. */
    double t0 = now_ms ();
    void *poller = zmq_poller_new ();
    CHECK (zmq_poller_add (poller, client, NULL, ZMQ_POLLOUT) == 0);
    zmq_poller_event_t ev;
    CHECK (zmq_poller_wait (poller, &ev, 2000) == 0);
    CHECK (ev.socket == client && (ev.events & ZMQ_POLLOUT));
    CHECK (zmq_send (client, "ping", 4, 0) == 4);
    CHECK (now_ms () - t0 < 1000);

    zmq_msg_t msg;
    CHECK (zmq_msg_init (&msg) == 0);
    CHECK (zmq_msg_recv (&msg, server, 0) == 4);
    uint32_t id = zmq_msg_routing_id (&msg);
    CHECK (zmq_msg_close (&msg) == 0);
    CHECK (zmq_msg_init_size (&msg, 4) == 0);
    memcpy (zmq_msg_data (&msg), "pong", 4);
    CHECK (zmq_msg_set_routing_id (&msg, id) == 0);
    CHECK (zmq_msg_send (&msg, server, 0) == 4);

    CHECK (pthread_join (t, NULL) == 0);
    CHECK (got_len == 4 && memcmp (got, "pong", 4) == 0);

    CHECK (zmq_poller_destroy (&poller) == 0);
    CHECK (zmq_close (client) == 0);
    CHECK (zmq_close (server) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    return 0;
}
#else
/* The thread-safe socket types are draft API. */
int main (void)
{
    return 0;
}
#endif
