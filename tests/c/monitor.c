/* zmq_socket_monitor from C, read the way upstream's testutil_monitoring
 * reads events: version 1 is a 6-byte frame (uint16 event, uint32 value)
 * and the endpoint; version 2 is uint64 event, uint64 value count, the
 * values, the local and the remote address. Only MONITOR_STOPPED happens
 * over inproc, so that is the event checked; argument errors follow
 * libzmq's socket_base_t::monitor. */
#include "check.h"
#include <stdint.h>
#include <zmq.h>

/* testutil_monitoring's get_monitor_event: event number, value, address. */
static int get_monitor_event (void *monitor, int *value, char *address,
                              size_t address_size)
{
    int timeout = 2000;
    CHECK (zmq_setsockopt (monitor, ZMQ_RCVTIMEO, &timeout, sizeof timeout)
           == 0);
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, monitor, 0) == -1)
        return -1;
    CHECK (zmq_msg_more (&msg));
    CHECK (zmq_msg_size (&msg) == 6);
    uint8_t *data = (uint8_t *) zmq_msg_data (&msg);
    uint16_t event;
    memcpy (&event, data, sizeof event);
    if (value)
        memcpy (value, data + 2, sizeof (uint32_t));
    zmq_msg_close (&msg);

    zmq_msg_init (&msg);
    CHECK (zmq_msg_recv (&msg, monitor, 0) >= 0);
    CHECK (!zmq_msg_more (&msg));
    size_t n = zmq_msg_size (&msg);
    CHECK (n < address_size);
    memcpy (address, zmq_msg_data (&msg), n);
    address[n] = 0;
    zmq_msg_close (&msg);
    return event;
}

#ifdef ZMQ_BUILD_DRAFT_API
static uint64_t recv_u64 (void *monitor, int expect_more)
{
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    CHECK (zmq_msg_recv (&msg, monitor, 0) == 8);
    CHECK (zmq_msg_more (&msg) == expect_more);
    uint64_t v;
    memcpy (&v, zmq_msg_data (&msg), sizeof v);
    zmq_msg_close (&msg);
    return v;
}

static size_t recv_len (void *monitor, int expect_more)
{
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    CHECK (zmq_msg_recv (&msg, monitor, 0) >= 0);
    CHECK (zmq_msg_more (&msg) == expect_more);
    size_t n = zmq_msg_size (&msg);
    zmq_msg_close (&msg);
    return n;
}
#endif

int main (void)
{
    void *ctx = zmq_ctx_new ();
    void *client = zmq_socket (ctx, ZMQ_DEALER);
    CHECK (client);

    /* Argument errors. */
    CHECK_ERR (zmq_socket_monitor (NULL, "inproc://m", ZMQ_EVENT_ALL),
               ENOTSOCK);
    CHECK_ERR (zmq_socket_monitor (client, "tcp://127.0.0.1:*", 0),
               EPROTONOSUPPORT);
    CHECK_ERR (zmq_socket_monitor (client, "inproc", 0), EINVAL);
    /* The int mask is sign-extended: -1 has bits beyond version 1's 16. */
    CHECK_ERR (zmq_socket_monitor (client, "inproc://m", -1), EINVAL);
    CHECK (zmq_socket_monitor (client, NULL, 0) == 0);

    /* Version 1: stopping sends MONITOR_STOPPED with value 0 and no
     * address. */
    CHECK (zmq_socket_monitor (client, "inproc://monitor-client",
                               ZMQ_EVENT_ALL)
           == 0);
    void *client_mon = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_connect (client_mon, "inproc://monitor-client") == 0);
    CHECK (zmq_socket_monitor (client, NULL, 0) == 0);
    int value = -1;
    char address[256];
    CHECK (get_monitor_event (client_mon, &value, address, sizeof address)
           == ZMQ_EVENT_MONITOR_STOPPED);
    CHECK (value == 0);
    CHECK (address[0] == 0);

    /* A second monitor on the same name once the first is gone; closing
     * the monitored socket stops it. */
    CHECK (zmq_socket_monitor (client, "inproc://monitor-client",
                               ZMQ_EVENT_ALL)
           == 0);
    void *again = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_connect (again, "inproc://monitor-client") == 0);
    CHECK (zmq_close (client) == 0);
    CHECK (get_monitor_event (again, NULL, address, sizeof address)
           == ZMQ_EVENT_MONITOR_STOPPED);
    CHECK (zmq_close (again) == 0);

#ifdef ZMQ_BUILD_DRAFT_API
    /* Version 2 on a PUB monitor socket read by a SUB. */
    void *server = zmq_socket (ctx, ZMQ_DEALER);
    CHECK_ERR (zmq_socket_monitor_versioned (server, "inproc://invalid", 0, 2,
                                             ZMQ_CLIENT),
               EINVAL);
    CHECK_ERR (zmq_socket_monitor_pipes_stats (NULL), ENOTSOCK);
    CHECK_ERR (zmq_socket_monitor_pipes_stats (server), EINVAL);
    CHECK (zmq_socket_monitor_versioned (server, "inproc://monitor-server",
                                         ZMQ_EVENT_ALL_V2, 2, ZMQ_PUB)
           == 0);
    /* Monitoring, but nothing connected yet. */
    CHECK_ERR (zmq_socket_monitor_pipes_stats (server), EAGAIN);
    void *server_mon = zmq_socket (ctx, ZMQ_SUB);
    CHECK (zmq_setsockopt (server_mon, ZMQ_SUBSCRIBE, "", 0) == 0);
    CHECK (zmq_connect (server_mon, "inproc://monitor-server") == 0);
    /* Let the PUB see the subscription before the event goes out. */
    int events;
    size_t len = sizeof events;
    CHECK (zmq_getsockopt (server_mon, ZMQ_EVENTS, &events, &len) == 0);
    CHECK (zmq_close (server) == 0);
    CHECK (recv_u64 (server_mon, 1) == ZMQ_EVENT_MONITOR_STOPPED);
    CHECK (recv_u64 (server_mon, 1) == 1);
    CHECK (recv_u64 (server_mon, 1) == 0);
    CHECK (recv_len (server_mon, 1) == 0);
    CHECK (recv_len (server_mon, 0) == 0);
    CHECK (zmq_close (server_mon) == 0);
#endif

    CHECK (zmq_close (client_mon) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    return 0;
}
