//  Hello World client: a REQ socket that sends "Hello" and waits for "World".
//
//    hwclient [ENDPOINT [COUNT]]     default tcp://localhost:5555, 10 requests
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int main (int argc, char *argv[])
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://localhost:5555";
    long count = argc > 2 ? atol (argv[2]) : 10;

    printf ("Connecting to hello world server at %s\n", endpoint);
    void *context = zmq_ctx_new ();
    void *requester = zmq_socket (context, ZMQ_REQ);
    zmq_connect (requester, endpoint);

    for (long n = 0; n < count; n++) {
        char buffer[16];
        printf ("Sending Hello %ld\n", n);
        zmq_send (requester, "Hello", 5, 0);
        int size = zmq_recv (requester, buffer, sizeof buffer, 0);
        if (size != 5 || memcmp (buffer, "World", 5) != 0) {
            fprintf (stderr, "hwclient: unexpected reply\n");
            return 1;
        }
        printf ("Received World %ld\n", n);
    }
    zmq_close (requester);
    zmq_ctx_term (context);
    return 0;
}
