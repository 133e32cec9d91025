/* An exhausted descriptor table stops a listener only while it lasts:
 * with RLIMIT_NOFILE lowered and every descriptor taken, a connection to
 * a ROUTER gives ACCEPT_FAILED (EMFILE) and waits in the backlog; once
 * descriptors are free again the listener accepts it by itself (no new
 * connection needed to wake it) and goes on serving. libzmq reports the
 * same event and retries in a busy loop; we retry on a back-off timer. */
#include "check.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zmq.h>

/* The next event's number and value (testutil_monitoring's reading). */
static int next_event (void *monitor, int *value)
{
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, monitor, 0) == -1)
        return -1;
    CHECK (zmq_msg_size (&msg) == 6);
    uint16_t event;
    memcpy (&event, zmq_msg_data (&msg), sizeof event);
    memcpy (value, (char *) zmq_msg_data (&msg) + 2, sizeof (uint32_t));
    zmq_msg_close (&msg);
    zmq_msg_init (&msg);
    CHECK (zmq_msg_recv (&msg, monitor, 0) >= 0);
    zmq_msg_close (&msg);
    return event;
}

#define MAX_FILLER 4096

int main (void)
{
    void *ctx = zmq_ctx_new ();
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    CHECK (router);
    CHECK (zmq_socket_monitor (router, "inproc://emfile-mon",
                               ZMQ_EVENT_LISTENING | ZMQ_EVENT_ACCEPTED
                                 | ZMQ_EVENT_ACCEPT_FAILED)
           == 0);
    void *mon = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_connect (mon, "inproc://emfile-mon") == 0);
    int timeout = 5000;
    CHECK (zmq_setsockopt (mon, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK (zmq_bind (router, "tcp://127.0.0.1:*") == 0);
    char endpoint[64];
    size_t len = sizeof endpoint;
    CHECK (zmq_getsockopt (router, ZMQ_LAST_ENDPOINT, endpoint, &len) == 0);
    int value;
    CHECK (next_event (mon, &value) == ZMQ_EVENT_LISTENING);

    /* A small table, then every descriptor of it taken but one, which the
     * client's socket takes: the listener has none left for accept. */
    struct rlimit saved, low;
    CHECK (getrlimit (RLIMIT_NOFILE, &saved) == 0);
    int probe = open ("/dev/null", O_RDONLY);
    CHECK (probe >= 0);
    close (probe);
    low = saved;
    low.rlim_cur = (rlim_t) probe + 64;
    CHECK (setrlimit (RLIMIT_NOFILE, &low) == 0);
    int filler[MAX_FILLER];
    int n = 0;
    while (n < MAX_FILLER && (filler[n] = open ("/dev/null", O_RDONLY)) >= 0)
        n++;
    CHECK (n < MAX_FILLER && errno == EMFILE);
    close (filler[--n]);

    int client = socket (AF_INET, SOCK_STREAM, 0);
    CHECK (client >= 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons ((uint16_t) atoi (strrchr (endpoint, ':') + 1));
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    /* Completes in the kernel's backlog, without accept. */
    CHECK (connect (client, (struct sockaddr *) &a, sizeof a) == 0);

    CHECK (next_event (mon, &value) == ZMQ_EVENT_ACCEPT_FAILED);
    CHECK (value == EMFILE);

    /* Descriptors are back; nothing new connects. */
    while (n > 0)
        close (filler[--n]);
    CHECK (setrlimit (RLIMIT_NOFILE, &saved) == 0);
    int event;
    while ((event = next_event (mon, &value)) == ZMQ_EVENT_ACCEPT_FAILED)
        CHECK (value == EMFILE);
    CHECK (event == ZMQ_EVENT_ACCEPTED);

    /* The accepted connection is served: the ROUTER's greeting arrives. */
    struct timeval tv = {5, 0};
    CHECK (setsockopt (client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    unsigned char greeting[10];
    CHECK (read (client, greeting, sizeof greeting) > 0);
    CHECK (greeting[0] == 0xff);
    close (client);

    /* And the listener takes new peers. */
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    CHECK (zmq_connect (dealer, endpoint) == 0);
    CHECK (zmq_send (dealer, "ping", 4, 0) == 4);
    CHECK (zmq_setsockopt (router, ZMQ_RCVTIMEO, &timeout, sizeof timeout)
           == 0);
    char id[256], body[8];
    CHECK (zmq_recv (router, id, sizeof id, 0) > 0);
    CHECK (zmq_recv (router, body, sizeof body, 0) == 4);
    CHECK (memcmp (body, "ping", 4) == 0);

    int linger = 0;
    zmq_setsockopt (dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (dealer);
    zmq_close (router);
    zmq_close (mon);
    CHECK (zmq_ctx_term (ctx) == 0);
    return 0;
}
