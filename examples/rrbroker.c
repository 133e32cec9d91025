//  Request-reply broker: clients' REQ sockets connect to its ROUTER
//  frontend, workers' REP sockets to its DEALER backend, and zmq_proxy
//  shuttles requests and replies between the two (the envelope of routing ids
//  the ROUTER adds brings each reply back to its client).
//
//    rrbroker [FRONTEND [BACKEND]]   default tcp://*:5559, tcp://*:5560
//
//  zmq_proxy runs until an error: SIGINT or SIGTERM make it return with
//  EINTR (the handler is installed without SA_RESTART), and the broker exits.
//  A signal that lands while the proxy is busy between two waits is not seen
//  by it (as with any blocking call): send it again.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static volatile sig_atomic_t interrupted = 0;

static void on_signal (int signo)
{
    (void) signo;
    interrupted = 1;
}

int main (int argc, char *argv[])
{
    const char *frontend_endpoint = argc > 1 ? argv[1] : "tcp://*:5559";
    const char *backend_endpoint = argc > 2 ? argv[2] : "tcp://*:5560";

    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);

    void *context = zmq_ctx_new ();
    void *frontend = zmq_socket (context, ZMQ_ROUTER);
    void *backend = zmq_socket (context, ZMQ_DEALER);
    if (zmq_bind (frontend, frontend_endpoint) != 0 || zmq_bind (backend, backend_endpoint) != 0) {
        fprintf (stderr, "rrbroker: bind: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }
    //  On the way out, drop what is still queued rather than wait for it.
    int linger = 0;
    zmq_setsockopt (frontend, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (backend, ZMQ_LINGER, &linger, sizeof linger);
    printf ("Brokering %s <-> %s\n", frontend_endpoint, backend_endpoint);
    fflush (stdout);

    zmq_proxy (frontend, backend, NULL);
    int stopped_by = zmq_errno ();
    printf ("Proxy stopped: %s\n", zmq_strerror (stopped_by));

    zmq_close (frontend);
    zmq_close (backend);
    zmq_ctx_term (context);
    return interrupted && stopped_by == EINTR ? 0 : 1;
}
