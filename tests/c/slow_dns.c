/* Name resolution off the io thread, against a real DNS server: run by
 * tests/resolver.rs inside a private network namespace whose resolver is
 * tests/resolver/dns_stub.py. slow.zmq.test answers after 3 s; meanwhile
 * another tcp connection on the same (only) io thread keeps passing
 * messages. two.zmq.test resolves to 127.0.0.1 (refused) then 127.0.0.2
 * (the listener): the connect gets through within its first attempt. */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <netdb.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <zmq.h>

static double now_ms (void)
{
    struct timespec t;
    clock_gettime (CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void set_int (void *s, int option, int value)
{
    CHECK (zmq_setsockopt (s, option, &value, sizeof value) == 0);
}

static int port_of (void *s)
{
    char endpoint[64];
    size_t len = sizeof endpoint;
    CHECK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, endpoint, &len) == 0);
    return atoi (strrchr (endpoint, ':') + 1);
}

/* The router's next message must be `body` from a new peer. */
static void expect_at_router (void *router, const char *body, int timeout)
{
    set_int (router, ZMQ_RCVTIMEO, timeout);
    char buf[256];
    CHECK (zmq_recv (router, buf, sizeof buf, 0) > 0); /* routing id */
    int n = zmq_recv (router, buf, sizeof buf, 0);
    CHECK (n == (int) strlen (body) && memcmp (buf, body, n) == 0);
}

int main (void)
{
    /* The stub's order reaches us unchanged: the refusing address first. */
    struct addrinfo hints = {0}, *res;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    CHECK (getaddrinfo ("two.zmq.test", "1", &hints, &res) == 0);
    char first[32];
    inet_ntop (AF_INET, &((struct sockaddr_in *) res->ai_addr)->sin_addr,
               first, sizeof first);
    CHECK (strcmp (first, "127.0.0.1") == 0);
    CHECK (res->ai_next != NULL);
    freeaddrinfo (res);

    void *ctx = zmq_ctx_new ();
    CHECK (zmq_ctx_get (ctx, ZMQ_IO_THREADS) == 1);
    void *a = zmq_socket (ctx, ZMQ_PAIR);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_bind (a, "tcp://127.0.0.1:*") == 0);
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port_of (a));
    CHECK (zmq_connect (b, endpoint) == 0);
    set_int (a, ZMQ_RCVTIMEO, 5000);
    set_int (b, ZMQ_RCVTIMEO, 5000);
    char buf[16];
    CHECK (zmq_send (b, "up", 2, 0) == 2);
    CHECK (zmq_recv (a, buf, sizeof buf, 0) == 2);

    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    CHECK (zmq_bind (router, "tcp://127.0.0.2:*") == 0);
    int port = port_of (router);

    void *slow = zmq_socket (ctx, ZMQ_DEALER);
    char name[64];
    snprintf (name, sizeof name, "tcp://slow.zmq.test:%d", port);
    double start = now_ms ();
    CHECK (zmq_connect (slow, name) == 0);
    CHECK (zmq_send (slow, "late", 4, 0) == 4);

    /* While the lookup hangs (3 s), round trips on the other connection. */
    set_int (a, ZMQ_RCVTIMEO, 1500);
    set_int (b, ZMQ_RCVTIMEO, 1500);
    double slowest = 0;
    int round_trips = 0;
    while (now_ms () - start < 2500) {
        double t = now_ms ();
        CHECK (zmq_send (b, "ping", 4, 0) == 4);
        CHECK (zmq_recv (a, buf, sizeof buf, 0) == 4);
        CHECK (zmq_send (a, "pong", 4, 0) == 4);
        CHECK (zmq_recv (b, buf, sizeof buf, 0) == 4);
        if (now_ms () - t > slowest)
            slowest = now_ms () - t;
        round_trips++;
    }
    printf ("round trips during the 3 s lookup: %d, slowest %.1f ms\n",
            round_trips, slowest);
    CHECK (round_trips > 10);
    CHECK (slowest < 1000);
    expect_at_router (router, "late", 5000);
    printf ("slow name connected after %.0f ms\n", now_ms () - start);
    CHECK (now_ms () - start >= 2900);

    /* Both addresses within one attempt: a retry would wait 60 s. */
    void *two = zmq_socket (ctx, ZMQ_DEALER);
    set_int (two, ZMQ_RECONNECT_IVL, 60000);
    snprintf (name, sizeof name, "tcp://two.zmq.test:%d", port);
    start = now_ms ();
    CHECK (zmq_connect (two, name) == 0);
    CHECK (zmq_send (two, "second", 6, 0) == 6);
    expect_at_router (router, "second", 5000);
    printf ("two.zmq.test connected through its second address in %.0f ms\n",
            now_ms () - start);

    void *sockets[] = {a, b, router, slow, two};
    for (int i = 0; i < 5; i++) {
        set_int (sockets[i], ZMQ_LINGER, 0);
        zmq_close (sockets[i]);
    }
    CHECK (zmq_ctx_term (ctx) == 0);
    return 0;
}
