/* A first program against our libzmq: REQ/REP and PUB/SUB over inproc.
 * Build: cc examples/hello.c -Iinclude -Ltarget/release -lzmq */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

int main (void)
{
    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    printf ("libzmq %d.%d.%d\n", major, minor, patch);

    void *ctx = zmq_ctx_new ();
    void *rep = zmq_socket (ctx, ZMQ_REP);
    void *req = zmq_socket (ctx, ZMQ_REQ);
    assert (zmq_bind (rep, "inproc://hello") == 0);
    assert (zmq_connect (req, "inproc://hello") == 0);

    char buf[32];
    assert (zmq_send (req, "Hello", 5, 0) == 5);
    int n = zmq_recv (rep, buf, sizeof buf, 0);
    assert (n == 5);
    printf ("REP received: %.*s\n", n, buf);
    assert (zmq_send (rep, "World", 5, 0) == 5);
    n = zmq_recv (req, buf, sizeof buf, 0);
    assert (n == 5);
    printf ("REQ received: %.*s\n", n, buf);

    void *pub = zmq_socket (ctx, ZMQ_PUB);
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    assert (zmq_bind (pub, "inproc://news") == 0);
    assert (zmq_connect (sub, "inproc://news") == 0);
    assert (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "weather", 7) == 0);
    /* Let the publisher see the subscription. */
    zmq_pollitem_t item = {pub, 0, ZMQ_POLLOUT, 0};
    zmq_poll (&item, 1, 0);
    zmq_send (pub, "sports: 3-1", 11, 0);
    zmq_send (pub, "weather: sunny", 14, 0);
    n = zmq_recv (sub, buf, sizeof buf, 0);
    printf ("SUB received: %.*s\n", n, buf);

    zmq_close (req);
    zmq_close (rep);
    zmq_close (pub);
    zmq_close (sub);
    zmq_ctx_term (ctx);
    printf ("ok\n");
    return 0;
}
