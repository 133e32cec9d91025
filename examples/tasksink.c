//  Task sink: collects the batch's results (PULL, bound), reports how long
//  the batch took, then tells the workers to stop (PUB, bound: "KILL").
//
//    tasksink [SINK_ENDPOINT [CONTROL_ENDPOINT [TASKS]]]
//             default tcp://*:5558, tcp://*:5559, 100 tasks
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

int main (int argc, char *argv[])
{
    const char *sink_endpoint = argc > 1 ? argv[1] : "tcp://*:5558";
    const char *control_endpoint = argc > 2 ? argv[2] : "tcp://*:5559";
    long tasks = argc > 3 ? atol (argv[3]) : 100;

    void *context = zmq_ctx_new ();
    void *receiver = zmq_socket (context, ZMQ_PULL);
    void *controller = zmq_socket (context, ZMQ_PUB);
    if (zmq_bind (receiver, sink_endpoint) != 0 || zmq_bind (controller, control_endpoint) != 0) {
        fprintf (stderr, "tasksink: bind: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }

    /* The ventilator's "0" says the batch starts. */
    char buffer[16];
    if (zmq_recv (receiver, buffer, sizeof buffer, 0) < 0)
        return 1;
    void *watch = zmq_stopwatch_start ();
    for (long n = 0; n < tasks; n++) {
        if (zmq_recv (receiver, buffer, sizeof buffer, 0) < 0)
            return 1;
        putchar (n % 10 == 9 ? ':' : '.');
        fflush (stdout);
    }
    unsigned long usec = zmq_stopwatch_stop (watch);
    printf ("\nCollected %ld results\nTotal elapsed time: %lu msec\n", tasks, usec / 1000);

    /* The workers subscribed long before the first result came back. */
    zmq_send (controller, "KILL", 4, 0);
    zmq_close (receiver);
    zmq_close (controller);
    zmq_ctx_term (context);
    return 0;
}
