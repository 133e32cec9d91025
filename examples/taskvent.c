//  Task ventilator: pushes a batch of tasks to the workers (PUSH, bound) and
//  tells the sink (PUSH, connected) that the batch starts.
//
//    taskvent [TASKS_ENDPOINT [SINK_ENDPOINT [TASKS]]]
//             default tcp://*:5557, tcp://localhost:5558, 100 tasks
//
//  Each task is a workload in milliseconds; PUSH deals them out round-robin
//  to the workers connected when it sends.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

int main (int argc, char *argv[])
{
    const char *tasks_endpoint = argc > 1 ? argv[1] : "tcp://*:5557";
    const char *sink_endpoint = argc > 2 ? argv[2] : "tcp://localhost:5558";
    long tasks = argc > 3 ? atol (argv[3]) : 100;

    void *context = zmq_ctx_new ();
    void *sender = zmq_socket (context, ZMQ_PUSH);
    if (zmq_bind (sender, tasks_endpoint) != 0) {
        fprintf (stderr, "taskvent: bind %s: %s\n", tasks_endpoint, zmq_strerror (zmq_errno ()));
        return 1;
    }
    void *sink = zmq_socket (context, ZMQ_PUSH);
    zmq_connect (sink, sink_endpoint);

    /* Give the workers a second to connect, or the first one takes the lot. */
    printf ("Sending %ld tasks to workers in a second...\n", tasks);
    fflush (stdout);
    zmq_sleep (1);

    /* The batch starts: the sink starts its clock. */
    zmq_send (sink, "0", 1, 0);

    srand ((unsigned) time (NULL));
    long total_msec = 0;
    for (long n = 0; n < tasks; n++) {
        int workload = rand () % 10 + 1;
        total_msec += workload;
        char task[16];
        int len = snprintf (task, sizeof task, "%d", workload);
        zmq_send (sender, task, len, 0);
    }
    printf ("Total expected cost: %ld msec\n", total_msec);
    /* zmq_ctx_term waits (ZMQ_LINGER is infinite by default) until every
     * task has gone out. */
    zmq_close (sink);
    zmq_close (sender);
    zmq_ctx_term (context);
    return 0;
}
