/* zmq_proxy, zmq_proxy_steerable and zmq_device from C over inproc:
 * argument errors, a REQ-ROUTER=proxy=DEALER-REP round trip with a capture
 * socket, STATISTICS and TERMINATE on a REP control socket, and the
 * single-socket proxy ending with ETERM when the context shuts down. */
#include "check.h"
#include <stdint.h>
#include <zmq.h>

struct run
{
    void *ctx;
    int rc;
    int err;
};

static void steerable_proxy (void *arg)
{
    struct run *r = (struct run *) arg;
    void *front = zmq_socket (r->ctx, ZMQ_ROUTER);
    void *back = zmq_socket (r->ctx, ZMQ_DEALER);
    void *capture = zmq_socket (r->ctx, ZMQ_PUSH);
    void *control = zmq_socket (r->ctx, ZMQ_REP);
    CHECK (zmq_bind (front, "inproc://front") == 0);
    CHECK (zmq_bind (back, "inproc://back") == 0);
    CHECK (zmq_bind (capture, "inproc://capture") == 0);
    CHECK (zmq_bind (control, "inproc://control") == 0);
    r->rc = zmq_proxy_steerable (front, back, capture, control);
    r->err = errno;
    zmq_close (front);
    zmq_close (back);
    zmq_close (capture);
    zmq_close (control);
}

static void single_socket_proxy (void *arg)
{
    struct run *r = (struct run *) arg;
    void *rep = zmq_socket (r->ctx, ZMQ_REP);
    CHECK (zmq_bind (rep, "inproc://single") == 0);
    r->rc = zmq_proxy (rep, rep, NULL);
    r->err = errno;
    zmq_close (rep);
}

static void send_str (void *s, const char *str, int flags)
{
    CHECK (zmq_send (s, str, strlen (str), flags) == (int) strlen (str));
}

static void recv_str (void *s, const char *want, int more)
{
    char buf[64];
    int n = zmq_recv (s, buf, sizeof buf, 0);
    CHECK (n == (int) strlen (want));
    CHECK (memcmp (buf, want, n) == 0);
    int rcvmore;
    size_t len = sizeof rcvmore;
    CHECK (zmq_getsockopt (s, ZMQ_RCVMORE, &rcvmore, &len) == 0);
    CHECK (rcvmore == more);
}

/* The proxy thread may not have bound yet: inproc lets us connect first. */
static void *connected (void *ctx, int type, const char *addr, const char *id)
{
    void *s = zmq_socket (ctx, type);
    if (id)
        CHECK (zmq_setsockopt (s, ZMQ_ROUTING_ID, id, strlen (id)) == 0);
    CHECK (zmq_connect (s, addr) == 0);
    int timeo = 2000;
    CHECK (zmq_setsockopt (s, ZMQ_RCVTIMEO, &timeo, sizeof timeo) == 0);
    return s;
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    int not_a_socket[4] = {0, 0, 0, 0};

    CHECK_ERR (zmq_proxy (NULL, dealer, NULL), EFAULT);
    CHECK_ERR (zmq_proxy (dealer, NULL, NULL), EFAULT);
    CHECK_ERR (zmq_proxy_steerable (NULL, NULL, NULL, NULL), EFAULT);
    CHECK_ERR (zmq_device (ZMQ_QUEUE, NULL, dealer), EFAULT);
    CHECK_ERR (zmq_proxy (dealer, not_a_socket, NULL), ENOTSOCK);
    /* A control socket that is also the frontend: libzmq's poller refuses
     * the same socket twice. */
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    CHECK_ERR (zmq_proxy_steerable (router, dealer, NULL, router), EINVAL);
    zmq_close (router);
    zmq_close (dealer);

    /* Steerable proxy with capture. */
    struct run steer = {ctx, -2, 0};
    void *thread = zmq_threadstart (steerable_proxy, &steer);
    void *client = connected (ctx, ZMQ_REQ, "inproc://front", "C1");
    void *worker = connected (ctx, ZMQ_REP, "inproc://back", NULL);
    void *tap = connected (ctx, ZMQ_PULL, "inproc://capture", NULL);
    void *control = connected (ctx, ZMQ_REQ, "inproc://control", NULL);

    send_str (client, "ping", 0);
    recv_str (worker, "ping", 0);
    send_str (worker, "pong!", 0);
    recv_str (client, "pong!", 0);
    /* The capture socket saw both messages, envelope included. */
    recv_str (tap, "C1", 1);
    recv_str (tap, "", 1);
    recv_str (tap, "ping", 0);
    recv_str (tap, "C1", 1);
    recv_str (tap, "", 1);
    recv_str (tap, "pong!", 0);

    send_str (control, "STATISTICS", 0);
    uint64_t want[8] = {3, 6, 3, 7, 3, 7, 3, 6};
    for (int i = 0; i < 8; i++) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        CHECK (zmq_msg_recv (&msg, control, 0) == 8);
        uint64_t v;
        memcpy (&v, zmq_msg_data (&msg), sizeof v);
        CHECK (v == want[i]);
        CHECK (zmq_msg_more (&msg) == (i < 7));
        zmq_msg_close (&msg);
    }
    send_str (control, "TERMINATE", 0);
    recv_str (control, "", 0);
    zmq_threadclose (thread);
    CHECK (steer.rc == 0);
    zmq_close (client);
    zmq_close (worker);
    zmq_close (tap);
    zmq_close (control);

    /* One REP socket as frontend and backend echoes; context shutdown
     * ends the proxy with ETERM. */
    struct run single = {ctx, -2, 0};
    thread = zmq_threadstart (single_socket_proxy, &single);
    void *req = connected (ctx, ZMQ_REQ, "inproc://single", NULL);
    send_str (req, "msg1", 0);
    recv_str (req, "msg1", 0);
    send_str (req, "msg22", 0);
    recv_str (req, "msg22", 0);
    zmq_close (req);
    CHECK (zmq_ctx_shutdown (ctx) == 0);
    zmq_threadclose (thread);
    CHECK (single.rc == -1 && single.err == ETERM);
    CHECK (zmq_ctx_term (ctx) == 0);
    return 0;
}
