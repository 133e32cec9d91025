/* The zmq_poller API and zmq_poll over sockets and a plain fd. */
#include "check.h"
#include <unistd.h>
#include <zmq.h>

int main (void)
{
    void *ctx = zmq_ctx_new ();
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (zmq_bind (pull, "inproc://poller") == 0);
    CHECK (zmq_connect (push, "inproc://poller") == 0);

    void *poller = zmq_poller_new ();
    CHECK (poller);
    int tag = 42;
    CHECK (zmq_poller_add (poller, pull, &tag, ZMQ_POLLIN) == 0);
    CHECK_ERR (zmq_poller_add (poller, pull, NULL, ZMQ_POLLIN), EINVAL);
    CHECK_ERR (zmq_poller_add (poller, NULL, NULL, ZMQ_POLLIN), ENOTSOCK);
    CHECK_ERR (zmq_poller_modify (poller, push, ZMQ_POLLIN), EINVAL);
    CHECK (zmq_poller_size (poller) == 1);

    zmq_poller_event_t ev;
    CHECK_ERR (zmq_poller_wait (poller, &ev, 10), EAGAIN);
    CHECK (zmq_send (push, "x", 1, 0) == 1);
    CHECK (zmq_poller_wait (poller, &ev, 1000) == 0);
    CHECK (ev.socket == pull && ev.user_data == &tag && ev.events == ZMQ_POLLIN);

    /* A plain fd next to the socket. */
    int fds[2];
    CHECK (pipe (fds) == 0);
    CHECK (zmq_poller_add_fd (poller, fds[0], NULL, ZMQ_POLLIN) == 0);
    CHECK (write (fds[1], "y", 1) == 1);
    zmq_poller_event_t evs[4];
    CHECK (zmq_poller_wait_all (poller, evs, 4, 0) == 2);

    /* Without thread-safe sockets there is no poller fd (as libzmq). */
    zmq_fd_t pfd;
    CHECK_ERR (zmq_poller_fd (poller, &pfd), EINVAL);
    CHECK (zmq_poller_remove_fd (poller, fds[0]) == 0);
    CHECK (zmq_poller_destroy (&poller) == 0 && poller == NULL);

    /* zmq_poll: the message is still there. */
    zmq_pollitem_t items[] = {{pull, 0, ZMQ_POLLIN, 0},
                              {NULL, fds[0], ZMQ_POLLIN, 0}};
    CHECK (zmq_poll (items, 2, 100) == 2);
    CHECK (items[0].revents == ZMQ_POLLIN && items[1].revents == ZMQ_POLLIN);
    char c;
    CHECK (zmq_recv (pull, &c, 1, 0) == 1);
    CHECK (zmq_poll (items, 1, 0) == 0);

    close (fds[0]);
    close (fds[1]);
    zmq_close (pull);
    zmq_close (push);
    zmq_ctx_term (ctx);
    printf ("ok\n");
    return 0;
}
