//  Request-reply worker: a REP socket connected to the broker's backend,
//  answering each "Hello" with "World".
//
//    rrworker [BACKEND [NAME]]   default tcp://localhost:5560, its pid
//
//  Runs until SIGINT or SIGTERM: the blocked zmq_recv returns EINTR. (A
//  signal that lands between the flag's check and the wait is only seen at
//  the next one: send it again.)
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static volatile sig_atomic_t interrupted = 0;

static void on_signal (int signo)
{
    (void) signo;
    interrupted = 1;
}

int main (int argc, char *argv[])
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://localhost:5560";
    char name[32];
    snprintf (name, sizeof name, "%s", argc > 2 ? argv[2] : "");
    if (!name[0])
        snprintf (name, sizeof name, "%d", (int) getpid ());

    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);

    void *context = zmq_ctx_new ();
    void *responder = zmq_socket (context, ZMQ_REP);
    zmq_connect (responder, endpoint);
    int linger = 0;
    zmq_setsockopt (responder, ZMQ_LINGER, &linger, sizeof linger);

    long answered = 0;
    while (!interrupted) {
        char request[16];
        int size = zmq_recv (responder, request, sizeof request, 0);
        if (size < 0)
            break;
        char reply[48];
        int len = snprintf (reply, sizeof reply, "World from %s", name);
        zmq_send (responder, reply, len, 0);
        answered++;
    }
    printf ("Worker %s answered %ld requests, stopped: %s\n", name, answered,
            interrupted ? "interrupted" : zmq_strerror (zmq_errno ()));
    zmq_close (responder);
    zmq_ctx_term (context);
    return interrupted ? 0 : 1;
}
