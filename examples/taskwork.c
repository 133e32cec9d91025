//  Task worker: pulls tasks from the ventilator, does them (sleeps for the
//  workload), pushes a result to the sink; stops when the sink broadcasts
//  "KILL" on its control channel (SUB).
//
//    taskwork [TASKS_ENDPOINT [SINK_ENDPOINT [CONTROL_ENDPOINT]]]
//             default tcp://localhost:5557, tcp://localhost:5558, tcp://localhost:5559
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

int main (int argc, char *argv[])
{
    const char *tasks_endpoint = argc > 1 ? argv[1] : "tcp://localhost:5557";
    const char *sink_endpoint = argc > 2 ? argv[2] : "tcp://localhost:5558";
    const char *control_endpoint = argc > 3 ? argv[3] : "tcp://localhost:5559";

    void *context = zmq_ctx_new ();
    void *receiver = zmq_socket (context, ZMQ_PULL);
    zmq_connect (receiver, tasks_endpoint);
    void *sender = zmq_socket (context, ZMQ_PUSH);
    zmq_connect (sender, sink_endpoint);
    void *controller = zmq_socket (context, ZMQ_SUB);
    zmq_connect (controller, control_endpoint);
    zmq_setsockopt (controller, ZMQ_SUBSCRIBE, "", 0);

    printf ("Worker %d ready\n", (int) getpid ());
    fflush (stdout);

    long done = 0;
    zmq_pollitem_t items[] = {
        {receiver, 0, ZMQ_POLLIN, 0},
        {controller, 0, ZMQ_POLLIN, 0},
    };
    while (1) {
        if (zmq_poll (items, 2, -1) < 0)
            break;
        if (items[0].revents & ZMQ_POLLIN) {
            char task[16];
            int size = zmq_recv (receiver, task, sizeof task - 1, 0);
            if (size < 0)
                break;
            task[size < (int) sizeof task - 1 ? size : (int) sizeof task - 1] = 0;
            usleep (atoi (task) * 1000);
            zmq_send (sender, "", 0, 0);
            done++;
        }
        if (items[1].revents & ZMQ_POLLIN) {
            char command[8];
            int size = zmq_recv (controller, command, sizeof command, 0);
            if (size == 4 && memcmp (command, "KILL", 4) == 0)
                break;
        }
    }
    printf ("Worker %d did %ld tasks\n", (int) getpid (), done);
    zmq_close (receiver);
    zmq_close (sender);
    zmq_close (controller);
    zmq_ctx_term (context);
    return 0;
}
