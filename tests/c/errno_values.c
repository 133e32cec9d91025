/* errno values and texts where libzmq sets them. */
#include "check.h"
#include <zmq.h>

int main (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx);
    CHECK (zmq_socket (ctx, 9999) == NULL && zmq_errno () == EINVAL);
    CHECK_ERR (zmq_bind (NULL, "inproc://x"), ENOTSOCK);
    CHECK_ERR (zmq_ctx_set (NULL, ZMQ_IO_THREADS, 1), EFAULT);

    void *s = zmq_socket (ctx, ZMQ_PAIR);
    CHECK_ERR (zmq_bind (s, "no-separator"), EINVAL);
    CHECK_ERR (zmq_bind (s, "bogus://x"), EPROTONOSUPPORT);
    CHECK_ERR (zmq_recv (s, NULL, 0, ZMQ_DONTWAIT), EAGAIN);
    CHECK_ERR (zmq_setsockopt (s, 99999, "", 0), EINVAL);
    CHECK_ERR (zmq_unbind (s, "inproc://never-bound"), ENOENT);
    CHECK_ERR (zmq_disconnect (s, "inproc://never-connected"), ENOENT);

    void *req = zmq_socket (ctx, ZMQ_REQ);
    CHECK_ERR (zmq_recv (req, NULL, 0, 0), EFSM);
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    int one = 1;
    CHECK (zmq_setsockopt (router, ZMQ_ROUTER_MANDATORY, &one, sizeof one) == 0);
    CHECK_ERR (zmq_send (router, "nobody", 6, ZMQ_SNDMORE), EHOSTUNREACH);

    CHECK (strcmp (zmq_strerror (EFSM),
                   "Operation cannot be accomplished in current state") == 0);
    CHECK (strcmp (zmq_strerror (ETERM), "Context was terminated") == 0);
    CHECK (strcmp (zmq_strerror (EINVAL), strerror (EINVAL)) == 0);

    zmq_close (s);
    zmq_close (req);
    zmq_close (router);
    CHECK (zmq_ctx_term (ctx) == 0);
    printf ("ok\n");
    return 0;
}
