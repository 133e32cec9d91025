/* PUB to N SUBs over tcp (default 1,000), one of them slow: it subscribes,
 * takes part in the start-up handshake, then stops reading until the
 * publisher is done. HWMs are small (SNDHWM = RCVHWM = 100) and the slow
 * connection's kernel buffers too (ZMQ_SNDBUF on the PUB, ZMQ_RCVBUF on the
 * slow SUB), so that what the slow subscriber gets is mostly what the HWMs
 * allow. The publisher sends MSGS messages of SIZE bytes in batches of
 * HWM/2, waiting after each batch for every fast subscriber to have it (so
 * a fast one never hits its HWM: it must get every message, in order);
 * the slow one gets K messages, K about SNDHWM + RCVHWM (+ what the kernel
 * buffers held), in increasing order: mostly the first K, but a run of
 * later ones may follow a gap when the io threads made room in the pipes
 * after the first drops (slow_gaps counts the jumps, slow_backwards any
 * message older than the one before, which must not happen). The
 * subscribers live in a forked process, so the publisher's RSS is its own.
 *
 *   pubsub [N] [MSGS]   ->   RESULT subs=N msgs=... slow_got=K fast_lost=0
 *        disorder=0 slow_gaps=... slow_backwards=0 max_send_ms=... pub_conns_kb=... pub_first_kb=...
 *        pub_growth_kb=... ms=...
 * (pub_conns_kb: the publisher's RSS for N connections; pub_first_kb: what
 * the first batch added, the connections' buffers; pub_growth_kb: what the
 * rest of the stream added, bounded by the slow one's queue.) */
#include "load.h"
#include <signal.h>
#include <sys/wait.h>
#include <zmq.h>

#define HWM 100
#define SIZE 1024
#define FLOOD_MSGS 2000
#define FLOOD_SIZE 65536
#define KBUF 4096 /* SO_SNDBUF of the PUB, SO_RCVBUF of the slow SUB */

static int nsubs = 1000, nmsgs = 1000;

static void send_msg (void *pub, char kind, uint32_t seq, double *max_ms)
{
    char buf[SIZE];
    memset (buf, 0, sizeof buf);
    buf[0] = kind;
    memcpy (buf + 1, &seq, 4);
    double t = now_ms ();
    CHECK (zmq_send (pub, buf, SIZE, ZMQ_DONTWAIT) == SIZE);
    t = now_ms () - t;
    if (max_ms && t > *max_ms)
        *max_ms = t;
}

static void pipe_read (int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll (&pf, 1, 60000) != 1) {
            fprintf (stderr, "pubsub: the other process went quiet\n");
            exit (1);
        }
        ssize_t r = read (fd, p, len);
        if (r <= 0) {
            fprintf (stderr, "pubsub: the other process is gone\n");
            exit (1);
        }
        p += r;
        len -= (size_t) r;
    }
}

/* The subscribers' process. Reports over `up`: 'S' when every SUB has had
 * a hello, 'R' when every SUB has read up to the marker, 'A' after each
 * batch every fast SUB has, then the figures. */
static int subscribers (int port, int up, int down)
{
    void *ctx = zmq_ctx_new ();
    int max = nsubs + 64, hwm = HWM, kbuf = KBUF, linger = 0;
    char ep[64], buf[SIZE + 1];
    CHECK (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, max) == 0);
    void **subs = calloc ((size_t) nsubs, sizeof *subs);
    zmq_pollitem_t *items = calloc ((size_t) nsubs, sizeof *items);
    long *next = calloc ((size_t) nsubs, sizeof *next);
    int *state = calloc ((size_t) nsubs, sizeof *state);
    long disorder = 0;
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    for (int i = 0; i < nsubs; i++) {
        subs[i] = zmq_socket (ctx, ZMQ_SUB);
        CHECK (subs[i]);
        CHECK (zmq_setsockopt (subs[i], ZMQ_RCVHWM, &hwm, sizeof hwm) == 0);
        CHECK (zmq_setsockopt (subs[i], ZMQ_LINGER, &linger, sizeof linger)
               == 0);
        if (i == 0)
            CHECK (zmq_setsockopt (subs[i], ZMQ_RCVBUF, &kbuf, sizeof kbuf)
                   == 0);
        CHECK (zmq_setsockopt (subs[i], ZMQ_SUBSCRIBE, "", 0) == 0);
        CHECK (zmq_connect (subs[i], ep) == 0);
        items[i].socket = subs[i];
        items[i].events = ZMQ_POLLIN;
    }
    /* state: 0 nothing yet, 1 had a hello, 2 had the marker. The slow SUB
     * (0) is polled until it has the marker, then left alone. */
    int phase = 1, count = 0;
    while (phase <= 2) {
        int rc = zmq_poll (items, nsubs, 60000);
        CHECK (rc > 0);
        for (int i = 0; i < nsubs; i++) {
            if (!(items[i].revents & ZMQ_POLLIN))
                continue;
            while (state[i] < phase) {
                int r = zmq_recv (subs[i], buf, sizeof buf, ZMQ_DONTWAIT);
                if (r < 0) {
                    CHECK (errno == EAGAIN);
                    break;
                }
                CHECK (r == SIZE);
                if (buf[0] == 'H' && state[i] == 0)
                    state[i] = 1, count++;
                else if (buf[0] == 'M')
                    state[i] = 2, count++;
            }
        }
        if (phase == 1 && count == nsubs) {
            write_all (up, "S", 1);
            phase = 2;
            count = 0;
            for (int i = 0; i < nsubs; i++)
                if (state[i] == 2)
                    count++;
        } else if (phase == 2 && count == nsubs) {
            phase = 3;
        }
    }
    items[0].events = 0; /* the slow one stops reading */
    write_all (up, "R", 1);
    long batch = HWM / 2, fast_lost = 0;
    for (long upto = batch; upto - batch < nmsgs; upto += batch) {
        long want = upto < nmsgs ? upto : nmsgs;
        int behind = nsubs - 1;
        for (int i = 1; i < nsubs; i++)
            items[i].events = ZMQ_POLLIN;
        while (behind > 0) {
            int rc = zmq_poll (items, nsubs, 10000);
            CHECK (rc >= 0);
            if (rc == 0) {
                /* a fast subscriber lost messages: count them */
                for (int i = 1; i < nsubs; i++)
                    if (next[i] < want)
                        fast_lost += want - next[i], next[i] = want;
                break;
            }
            for (int i = 1; i < nsubs; i++) {
                if (!(items[i].revents & ZMQ_POLLIN))
                    continue;
                while (next[i] < want) {
                    int r =
                      zmq_recv (subs[i], buf, sizeof buf, ZMQ_DONTWAIT);
                    if (r < 0) {
                        CHECK (errno == EAGAIN);
                        break;
                    }
                    uint32_t seq;
                    memcpy (&seq, buf + 1, 4);
                    CHECK (r == SIZE && buf[0] == 'D');
                    if (seq != next[i])
                        disorder++;
                    next[i] = (long) seq + 1;
                }
                if (next[i] >= want) {
                    items[i].events = 0;
                    behind--;
                }
            }
        }
        write_all (up, "A", 1);
    }
    /* The publisher is done: the slow subscriber reads what it was left. */
    long slow = 0, gaps = 0, backwards = 0, expect = 0;
    while (1) {
        zmq_pollitem_t it = {subs[0], 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&it, 1, 500) != 1)
            break;
        int r = zmq_recv (subs[0], buf, sizeof buf, 0);
        uint32_t seq;
        CHECK (r == SIZE && buf[0] == 'D');
        memcpy (&seq, buf + 1, 4);
        if ((long) seq < expect)
            backwards++;
        else if ((long) seq > expect)
            gaps++; /* dropped at the HWM, then room again */
        expect = (long) seq + 1;
        slow++;
    }
    long figures[5] = {slow, fast_lost, disorder, gaps, backwards};
    write_all (up, figures, sizeof figures);
    char bye;
    pipe_read (down, &bye, 1);
    long peak = status_kb ("VmHWM:");
    write_all (up, &peak, sizeof peak);
    for (int i = 0; i < nsubs; i++)
        zmq_close (subs[i]);
    zmq_ctx_term (ctx);
    return 0;
}

int main (int argc, char **argv)
{
    if (argc > 1)
        nsubs = atoi (argv[1]);
    if (argc > 2)
        nmsgs = atoi (argv[2]);
    raise_nofile ();
    signal (SIGPIPE, SIG_IGN);
    int up[2], down[2], port;
    CHECK (pipe (up) == 0 && pipe (down) == 0);
    pid_t pid = fork (); /* before any libzmq call */
    CHECK (pid >= 0);
    if (pid == 0) {
        close (up[0]);
        close (down[1]);
        pipe_read (down[0], &port, sizeof port);
        _exit (subscribers (port, up[1], down[0]));
    }
    close (up[1]);
    close (down[0]);

    void *ctx = zmq_ctx_new ();
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    int hwm = HWM, kbuf = KBUF, backlog = 1024, linger = 0;
    char ep[64], c;
    size_t eplen = sizeof ep;
    CHECK (pub);
    CHECK (zmq_setsockopt (pub, ZMQ_SNDHWM, &hwm, sizeof hwm) == 0);
    CHECK (zmq_setsockopt (pub, ZMQ_SNDBUF, &kbuf, sizeof kbuf) == 0);
    CHECK (zmq_setsockopt (pub, ZMQ_BACKLOG, &backlog, sizeof backlog) == 0);
    CHECK (zmq_setsockopt (pub, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK (zmq_bind (pub, "tcp://127.0.0.1:*") == 0);
    CHECK (zmq_getsockopt (pub, ZMQ_LAST_ENDPOINT, ep, &eplen) == 0);
    port = atoi (strrchr (ep, ':') + 1);
    long rss_base = rss_kb ();
    double t0 = now_ms ();
    write_all (down[1], &port, sizeof port);
    /* Hellos until every SUB has one, then the marker. */
    while (1) {
        struct pollfd pf = {up[0], POLLIN, 0};
        send_msg (pub, 'H', 0, NULL);
        if (poll (&pf, 1, 10) == 1)
            break;
        if (now_ms () - t0 > 60000) {
            fprintf (stderr, "pubsub: the subscribers never all joined\n");
            return 1;
        }
    }
    pipe_read (up[0], &c, 1);
    CHECK (c == 'S');
    send_msg (pub, 'M', 0, NULL);
    pipe_read (up[0], &c, 1);
    CHECK (c == 'R');
    long rss_conns = rss_kb ();
    long rss_first = 0;
    double max_ms = 0, t1 = now_ms ();
    for (long i = 0; i < nmsgs; i++) {
        send_msg (pub, 'D', (uint32_t) i, &max_ms);
        if ((i + 1) % (HWM / 2) == 0 || i + 1 == nmsgs) {
            pipe_read (up[0], &c, 1);
            CHECK (c == 'A');
            if (rss_first == 0)
                rss_first = rss_kb ();
        }
    }
    double ms = now_ms () - t1;
    long rss_sent = rss_kb ();
    long figures[5];
    pipe_read (up[0], figures, sizeof figures);
    /* The flood: FLOOD_MSGS of FLOOD_SIZE bytes while no subscriber reads
     * at all; with HWMs the publisher keeps at most about HWM messages per
     * connection (the bodies are shared), whatever the flood's size. */
    double flood_max_ms = 0, t2 = now_ms ();
    long rss_flood0 = rss_kb ();
    char *big = calloc (1, FLOOD_SIZE);
    CHECK (big);
    for (int i = 0; i < FLOOD_MSGS; i++) {
        double t = now_ms ();
        big[0] = 'F';
        CHECK (zmq_send (pub, big, FLOOD_SIZE, ZMQ_DONTWAIT) == FLOOD_SIZE);
        t = now_ms () - t;
        if (t > flood_max_ms)
            flood_max_ms = t;
    }
    double flood_ms = now_ms () - t2;
    long rss_flood1 = rss_kb ();
    free (big);
    write_all (down[1], "B", 1);
    long sub_peak;
    pipe_read (up[0], &sub_peak, sizeof sub_peak);
    int status;
    CHECK (waitpid (pid, &status, 0) == pid);
    printf ("RESULT subs=%d msgs=%d hwm=%d size=%d slow_got=%ld fast_lost=%ld "
            "disorder=%ld slow_gaps=%ld slow_backwards=%ld max_send_ms=%.1f pub_conns_kb=%ld pub_first_kb=%ld "
            "pub_growth_kb=%ld ms=%.0f flood_mb=%d flood_ms=%.0f "
            "flood_max_send_ms=%.1f flood_growth_kb=%ld pub_peak_kb=%ld "
            "subs_peak_kb=%ld\n",
            nsubs, nmsgs, HWM, SIZE, figures[0], figures[1], figures[2],
            figures[3], figures[4],
            max_ms, rss_conns - rss_base, rss_first - rss_conns,
            rss_sent - rss_first, ms,
            (int) ((long) FLOOD_MSGS * FLOOD_SIZE >> 20), flood_ms,
            flood_max_ms, rss_flood1 - rss_flood0, status_kb ("VmHWM:"),
            sub_peak);
    zmq_close (pub);
    zmq_ctx_term (ctx);
    return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : 1;
}
