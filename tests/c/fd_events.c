/* ZMQ_FD is a real fd with libzmq's edge-triggered ZMQ_EVENTS contract:
 * after ZMQ_EVENTS reports nothing, the fd becomes readable when something
 * arrives, and ZMQ_EVENTS then reports it. */
#include "check.h"
#include <poll.h>
#include <zmq.h>

static int events_of (void *s)
{
    int ev;
    size_t len = sizeof ev;
    CHECK (zmq_getsockopt (s, ZMQ_EVENTS, &ev, &len) == 0 && len == sizeof ev);
    return ev;
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    void *a = zmq_socket (ctx, ZMQ_PAIR);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_bind (a, "inproc://fd") == 0);
    CHECK (zmq_connect (b, "inproc://fd") == 0);

    int fd;
    size_t len = sizeof fd;
    CHECK (zmq_getsockopt (b, ZMQ_FD, &fd, &len) == 0 && fd >= 0);
    CHECK ((events_of (b) & ZMQ_POLLIN) == 0);
    struct pollfd p = {fd, POLLIN, 0};
    CHECK (poll (&p, 1, 0) == 0);

    CHECK (zmq_send (a, "hi", 2, 0) == 2);
    CHECK (poll (&p, 1, 1000) == 1);
    CHECK (events_of (b) & ZMQ_POLLIN);
    char buf[4];
    CHECK (zmq_recv (b, buf, sizeof buf, 0) == 2);
    CHECK ((events_of (b) & ZMQ_POLLIN) == 0);
    CHECK (poll (&p, 1, 0) == 0);

    zmq_close (a);
    zmq_close (b);
    zmq_ctx_term (ctx);
    printf ("ok\n");
    return 0;
}
