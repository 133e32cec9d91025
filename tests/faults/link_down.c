/* Fault 5: the link goes down and comes back.
 *
 * Run in a network namespace of its own (tests/faults/run.py starts it
 * under `unshare -rn`: a user and a network namespace, where we are root
 * and `lo` is down until we bring it up). A PUSH of the library under test
 * connects to a PULL over 127.0.0.1 and sends a numbered message every
 * 10 ms; the PULL reads them all the while. After 500 ms `lo` goes down
 * (SIOCSIFFLAGS, as `ip link set lo down`) for 2 s while the sending goes
 * on, then comes back; the sending goes on for 500 ms more and everything
 * is read.
 *   plain:     no heartbeats. TCP retransmits once the link is back: every
 *              message arrives, in order, and no connection is dropped.
 *   heartbeat: ZMQ_HEARTBEAT_IVL 100 ms, _TIMEOUT 500 ms on both sockets:
 *              both drop the connection while the link is down
 *              (DISCONNECTED), the PUSH retries (ENETUNREACH while down)
 *              and reconnects when it is back; what was in the dropped
 *              connection's kernel buffers is lost with it (libzmq's
 *              semantics), the rest arrives in order, without
 *              duplicates. */
#include "fault.h"
#include <net/if.h>
#include <sys/ioctl.h>

static int link_set (int up)
{
    int s = socket (AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        return -1;
    struct ifreq ifr;
    memset (&ifr, 0, sizeof ifr);
    strcpy (ifr.ifr_name, "lo");
    int rc = ioctl (s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        if (up)
            ifr.ifr_flags |= IFF_UP;
        else
            ifr.ifr_flags &= ~IFF_UP;
        rc = ioctl (s, SIOCSIFFLAGS, &ifr);
    }
    close (s);
    return rc;
}

typedef struct
{
    void *push, *pull;
    int sent, eagain, received, next_expected, out_of_order, duplicates;
    int gaps, lost;
    int64_t last_rx;
} flow_t;

static void drain (flow_t *f)
{
    char buf[32];
    int n;
    while ((n = zmq_recv (f->pull, buf, sizeof buf - 1, ZMQ_DONTWAIT)) >= 0) {
        buf[n < 31 ? n : 31] = 0;
        int seq = atoi (buf);
        f->received++;
        f->last_rx = since_start ();
        if (seq == f->next_expected)
            f->next_expected++;
        else if (seq > f->next_expected) {
            f->gaps++;
            f->lost += seq - f->next_expected;
            f->next_expected = seq + 1;
        } else if (seq < f->next_expected)
            f->duplicates++;
    }
}

/* Sends one message every 10 ms for ms milliseconds, reading all the
 * while. */
static void run_for (flow_t *f, int ms)
{
    int64_t end = now_ms () + ms;
    while (now_ms () < end) {
        char buf[32];
        int n = snprintf (buf, sizeof buf, "%d", f->sent);
        if (zmq_send (f->push, buf, (size_t) n, ZMQ_DONTWAIT) == n)
            f->sent++;
        else
            f->eagain++;
        drain (f);
        msleep (10);
    }
}

static void variant (void *ctx, const char *name, int hb)
{
    flow_t f;
    memset (&f, 0, sizeof f);
    char ph[64], ep[64], evs[64];
    f.pull = zmq_socket (ctx, ZMQ_PULL);
    f.push = zmq_socket (ctx, ZMQ_PUSH);
    set_int (f.push, ZMQ_RECONNECT_IVL, 100);
    if (hb) {
        set_int (f.push, ZMQ_HEARTBEAT_IVL, 100);
        set_int (f.push, ZMQ_HEARTBEAT_TIMEOUT, 500);
        set_int (f.pull, ZMQ_HEARTBEAT_IVL, 100);
        set_int (f.pull, ZMQ_HEARTBEAT_TIMEOUT, 500);
    }
    snprintf (evs, sizeof evs, "%s-push", name);
    char *push_label = strdup (evs);
    snprintf (evs, sizeof evs, "%s-pull", name);
    char *pull_label = strdup (evs);
    monitor_t *mpush = monitor_start (ctx, f.push, push_label);
    monitor_t *mpull = monitor_start (ctx, f.pull, pull_label);
    snprintf (ph, sizeof ph, "%s-up", name);
    phase (ph);
    CHECK (zmq_bind (f.pull, "tcp://127.0.0.1:*") == 0);
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", endpoint_port (f.pull));
    CHECK (zmq_connect (f.push, ep) == 0);
    run_for (&f, 500);
    int before = f.received;

    snprintf (ph, sizeof ph, "%s-link-down", name);
    phase (ph);
    int push_from = monitor_mark (mpush), pull_from = monitor_mark (mpull);
    CHECK (link_set (0) == 0);
    int sent_at_down = f.sent;
    run_for (&f, 2000);
    int during = f.received - before;

    snprintf (ph, sizeof ph, "%s-link-up", name);
    phase (ph);
    CHECK (link_set (1) == 0);
    int64_t t_up = since_start ();
    run_for (&f, 500);
    /* Then read until everything came or 10 s passed. */
    int64_t deadline = now_ms () + 10000;
    while (f.next_expected < f.sent && now_ms () < deadline) {
        drain (&f);
        msleep (5);
    }
    msleep (100);
    drain (&f);
    snprintf (ph, sizeof ph, "%s-end", name);
    phase (ph);
    out ("figure %s_sent %d (%d while down, %d not queued: EAGAIN)", name,
         f.sent, f.sent - sent_at_down, f.eagain);
    out ("figure %s_received %d (%d while down)", name, f.received, during);
    out ("fact %s_all_delivered %s", name,
         f.received == f.sent && !f.lost ? "yes" : "no");
    out ("fact %s_in_order_no_duplicates %s", name,
         f.duplicates || f.out_of_order ? "no" : "yes");
    out ("fact %s_gaps %s", name, f.gaps ? "some" : "none");
    out ("figure %s_lost %d in %d gaps", name, f.lost, f.gaps);
    if (f.last_rx > t_up)
        out ("figure %s_last_delivery_after_link_up_ms %lld", name,
             (long long) (f.last_rx - t_up));
    out ("fact %s_push_disconnected %s", name,
         monitor_count (mpush, push_from, ZMQ_EVENT_DISCONNECTED) ? "yes"
                                                                   : "no");
    out ("fact %s_pull_disconnected %s", name,
         monitor_count (mpull, pull_from, ZMQ_EVENT_DISCONNECTED) ? "yes"
                                                                   : "no");
    if (f.duplicates)
        out ("bad %s: %d duplicates", name, f.duplicates);
    monitor_stop (mpush, f.push);
    monitor_stop (mpull, f.pull);
    set_int (f.push, ZMQ_LINGER, 0);
    set_int (f.pull, ZMQ_LINGER, 0);
    zmq_close (f.push);
    zmq_close (f.pull);
}

int main (int argc, char **argv)
{
    fault_init (argv);
    if (link_set (1) != 0) {
        out ("skip cannot bring lo up here (%s): run under unshare -rn",
             strerror (errno));
        return 0;
    }
    void *ctx = zmq_ctx_new ();
    if (argc < 2 || strstr (argv[1], "plain"))
        variant (ctx, "plain", 0);
    if (argc < 2 || strstr (argv[1], "heartbeat"))
        variant (ctx, "heartbeat", 1);
    zmq_ctx_term (ctx);
    out ("done");
    return 0;
}
