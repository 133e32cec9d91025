//  Request-reply client: a REQ socket connected to the broker's frontend; the
//  broker passes each request to one of its workers.
//
//    rrclient [FRONTEND [COUNT]]   default tcp://localhost:5559, 10 requests
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int main (int argc, char *argv[])
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://localhost:5559";
    long count = argc > 2 ? atol (argv[2]) : 10;

    void *context = zmq_ctx_new ();
    void *requester = zmq_socket (context, ZMQ_REQ);
    zmq_connect (requester, endpoint);

    for (long n = 0; n < count; n++) {
        zmq_send (requester, "Hello", 5, 0);
        char reply[64];
        int size = zmq_recv (requester, reply, sizeof reply - 1, 0);
        if (size < 0)
            return 1;
        reply[size < (int) sizeof reply - 1 ? size : (int) sizeof reply - 1] = 0;
        printf ("Received reply %ld [%s]\n", n, reply);
    }
    zmq_close (requester);
    zmq_ctx_term (context);
    return 0;
}
