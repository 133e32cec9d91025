//  Weather update server: a PUB socket publishing "ZIPCODE TEMPERATURE
//  HUMIDITY" updates for random zip codes, as fast as it can.
//
//    wuserver [ENDPOINT [SECONDS]]   default tcp://*:5556, until interrupted
//
//  It stops on SIGINT or SIGTERM (or after SECONDS): a blocked libzmq call
//  returns EINTR when a signal arrives, and the loop checks the flag.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static volatile sig_atomic_t interrupted = 0;

static void on_signal (int signo)
{
    (void) signo;
    interrupted = 1;
}

int main (int argc, char *argv[])
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://*:5556";
    double seconds = argc > 2 ? atof (argv[2]) : 0;

    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);

    void *context = zmq_ctx_new ();
    void *publisher = zmq_socket (context, ZMQ_PUB);
    if (zmq_bind (publisher, endpoint) != 0) {
        fprintf (stderr, "wuserver: bind %s: %s\n", endpoint, zmq_strerror (zmq_errno ()));
        return 1;
    }
    printf ("Publishing weather updates on %s\n", endpoint);
    fflush (stdout);

    /* A thousand zip codes from 10000, so a subscriber to one of them sees
     * an update every thousand or so. */
    srand ((unsigned) time (NULL));
    void *watch = zmq_stopwatch_start ();
    unsigned long updates = 0;
    while (!interrupted) {
        int zipcode = 10000 + rand () % 1000;
        int temperature = rand () % 215 - 80;
        int relhumidity = rand () % 50 + 10;
        char update[32];
        int len = snprintf (update, sizeof update, "%05d %d %d", zipcode, temperature, relhumidity);
        /* A PUB socket never blocks: it drops what a slow subscriber can't take. */
        zmq_send (publisher, update, len, 0);
        updates++;
        if (seconds > 0 && updates % 1000 == 0 && zmq_stopwatch_intermediate (watch) > seconds * 1e6)
            break;
    }
    zmq_stopwatch_stop (watch);
    printf ("Published %lu updates\n", updates);
    zmq_close (publisher);
    zmq_ctx_term (context);
    return 0;
}
