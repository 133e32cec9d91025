//  Hello World server: a REP socket that answers each "Hello" with "World".
//
//    hwserver [ENDPOINT [COUNT]]     default tcp://*:5555, answers forever
//
//  With COUNT it answers that many requests and exits, so a script can run it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int main (int argc, char *argv[])
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://*:5555";
    long count = argc > 2 ? atol (argv[2]) : -1;

    void *context = zmq_ctx_new ();
    void *responder = zmq_socket (context, ZMQ_REP);
    if (zmq_bind (responder, endpoint) != 0) {
        fprintf (stderr, "hwserver: bind %s: %s\n", endpoint, zmq_strerror (zmq_errno ()));
        return 1;
    }
    for (long n = 0; count < 0 || n < count; n++) {
        char buffer[16];
        int size = zmq_recv (responder, buffer, sizeof buffer - 1, 0);
        if (size < 0)
            break;
        buffer[size < (int) sizeof buffer - 1 ? size : (int) sizeof buffer - 1] = 0;
        printf ("Received %s %ld\n", buffer, n);
        zmq_send (responder, "World", 5, 0);
    }
    zmq_close (responder);
    zmq_ctx_term (context);
    return 0;
}
