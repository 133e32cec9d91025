/* Allocation failure is an error, never an abort: a huge length to
 * zmq_msg_init_size, zmq_send, zmq_send_const, zmq_sendiov and
 * zmq_msg_init_buffer is -1/ENOMEM (libzmq's init_size fails the same
 * way), and a peer announcing a frame no allocator can give (2^63 and
 * 2^62 bytes, ZMQ_MAXMSGSIZE unset) loses its connection, with libzmq's
 * DISCONNECTED event, while the process and the socket go on. */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zmq.h>

static void huge_lengths_are_enomem (void *ctx)
{
    const size_t beyond_address_space = (size_t) 1 << 62;
    zmq_msg_t msg;
    CHECK_ERR (zmq_msg_init_size (&msg, SIZE_MAX), ENOMEM);
    CHECK_ERR (zmq_msg_init_size (&msg, beyond_address_space), ENOMEM);
    /* What failed left nothing to close; a normal size still works. */
    CHECK (zmq_msg_init_size (&msg, 100) == 0);
    CHECK (zmq_msg_close (&msg) == 0);

    void *pair = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (pair);
    CHECK (zmq_bind (pair, "inproc://no-aborts") == 0);
    void *peer = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_connect (peer, "inproc://no-aborts") == 0);
    char small[8] = "body";
    CHECK_ERR (zmq_send (pair, small, SIZE_MAX, 0), ENOMEM);
    CHECK_ERR (zmq_send (pair, small, beyond_address_space, 0), ENOMEM);
    CHECK_ERR (zmq_send_const (pair, small, SIZE_MAX, 0), ENOMEM);
    struct iovec iov[2] = {{small, 4}, {small, beyond_address_space}};
    CHECK_ERR (zmq_sendiov (pair, iov, 2, 0), ENOMEM);
#ifdef ZMQ_BUILD_DRAFT_API
    CHECK_ERR (zmq_msg_init_buffer (&msg, small, beyond_address_space),
               ENOMEM);
#endif
    /* The socket is unharmed: a normal message goes through. (The iovec
     * call had sent its first part, with MORE: it arrives first.) */
    CHECK (zmq_send (pair, small, 4, 0) == 4);
    char got[8];
    CHECK (zmq_recv (peer, got, sizeof got, 0) == 4);
    CHECK (zmq_recv (peer, got, sizeof got, 0) == 4);
    CHECK (memcmp (got, "body", 4) == 0);
    zmq_close (peer);
    zmq_close (pair);
}

/* testutil_monitoring's get_monitor_event: the event number and value. */
static int next_event (void *monitor, int *value)
{
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, monitor, 0) == -1)
        return -1;
    CHECK (zmq_msg_size (&msg) == 6);
    uint16_t event;
    memcpy (&event, zmq_msg_data (&msg), sizeof event);
    if (value)
        memcpy (value, (char *) zmq_msg_data (&msg) + 2, sizeof (uint32_t));
    zmq_msg_close (&msg);
    zmq_msg_init (&msg);
    CHECK (zmq_msg_recv (&msg, monitor, 0) >= 0);
    zmq_msg_close (&msg);
    return event;
}

static int expect_event (void *monitor, int want)
{
    int value = 0;
    int got = next_event (monitor, &value);
    if (got != want) {
        fprintf (stderr, "event %d (value %d), want %d\n", got, value, want);
        exit (1);
    }
    return value;
}

/* Reads exactly `n` bytes. */
static void read_exactly (int fd, unsigned char *buf, size_t n)
{
    size_t have = 0;
    while (have < n) {
        ssize_t r = read (fd, buf + have, n - have);
        CHECK (r > 0);
        have += (size_t) r;
    }
}

/* A raw tcp peer: the ZMTP 3.0 NULL greeting and READY as a DEALER; once
 * the library's greeting and READY are in (the handshake is over on both
 * sides, for libzmq and for us), the header of a long frame of `size`
 * bytes and nothing more. */
static int raw_peer_announcing (int port, uint64_t size)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    CHECK (fd >= 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons ((uint16_t) port);
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    CHECK (connect (fd, (struct sockaddr *) &a, sizeof a) == 0);
    unsigned char wire[64 + 2 + 28 + 9] = {0};
    wire[0] = 0xff;
    wire[9] = 0x7f;
    wire[10] = 3;
    memcpy (wire + 12, "NULL", 4);
    unsigned char *p = wire + 64;
    *p++ = 0x04; /* short command */
    *p++ = 28;
    memcpy (p, "\x05READY\x0bSocket-Type\0\0\0\x06" "DEALER", 28);
    p += 28;
    CHECK (write (fd, wire, 64 + 2 + 28) == 64 + 2 + 28);
    unsigned char reply[64 + 2 + 255];
    read_exactly (fd, reply, 64 + 2);
    CHECK (reply[64] == 0x04);
    read_exactly (fd, reply + 66, reply[65]);
    *p++ = 0x02; /* long message frame */
    for (int i = 7; i >= 0; i--)
        *p++ = (unsigned char) (size >> (8 * i));
    CHECK (write (fd, wire + 64 + 2 + 28, 9) == 9);
    return fd;
}

/* Reads until the library closes the connection; fails after 5 s. */
static void expect_closed (int fd)
{
    struct timeval tv = {5, 0};
    CHECK (setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    char buf[256];
    ssize_t n;
    while ((n = read (fd, buf, sizeof buf)) > 0)
        ;
    CHECK (n == 0 || (n == -1 && errno == ECONNRESET));
    close (fd);
}

static void unallocatable_frame_drops_the_connection (void *ctx)
{
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    CHECK (router);
    CHECK (zmq_socket_monitor (router, "inproc://no-aborts-mon",
                               ZMQ_EVENT_ALL)
           == 0);
    void *mon = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_connect (mon, "inproc://no-aborts-mon") == 0);
    int timeout = 5000;
    CHECK (zmq_setsockopt (mon, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK (zmq_bind (router, "tcp://127.0.0.1:*") == 0);
    char endpoint[64];
    size_t len = sizeof endpoint;
    CHECK (zmq_getsockopt (router, ZMQ_LAST_ENDPOINT, endpoint, &len) == 0);
    int port = atoi (strrchr (endpoint, ':') + 1);
    expect_event (mon, ZMQ_EVENT_LISTENING);

    /* 2^63 fits no layout; 2^62 is beyond the address space (malloc
     * fails whatever the overcommit policy). */
    const uint64_t sizes[] = {(uint64_t) 1 << 63, (uint64_t) 1 << 62};
    for (int i = 0; i < 2; i++) {
        int fd = raw_peer_announcing (port, sizes[i]);
        expect_event (mon, ZMQ_EVENT_ACCEPTED);
        expect_event (mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
        expect_event (mon, ZMQ_EVENT_DISCONNECTED);
        expect_closed (fd);
    }

    /* The ROUTER still serves a real peer. */
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    CHECK (zmq_connect (dealer, endpoint) == 0);
    CHECK (zmq_send (dealer, "ping", 4, 0) == 4);
    char id[256], body[8];
    CHECK (zmq_setsockopt (router, ZMQ_RCVTIMEO, &timeout, sizeof timeout)
           == 0);
    int idlen = zmq_recv (router, id, sizeof id, 0);
    CHECK (idlen > 0);
    CHECK (zmq_recv (router, body, sizeof body, 0) == 4);
    CHECK (memcmp (body, "ping", 4) == 0);
    int linger = 0;
    zmq_setsockopt (dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (dealer);
    zmq_close (router);
    zmq_close (mon);
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx);
    huge_lengths_are_enomem (ctx);
    unallocatable_frame_drops_the_connection (ctx);
    CHECK (zmq_ctx_term (ctx) == 0);
    return 0;
}
