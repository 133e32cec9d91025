/* Shared helpers of the fault programs (tests/faults/, one .c a fault), built against
 * our libzmq and against the reference libzmq 4.3.5 by tests/faults/run.py.
 *
 * A program plays one fault: the socket under test lives in the parent;
 * the faulty peers are child processes, fork()ed and exec()ed again from
 * the same binary with a role as argv[1] (a fresh process: nothing of the
 * parent's context survives into it), killed with the parent
 * (PR_SET_PDEATHSIG). A child talks back through a pipe, one line a
 * message ("notify").
 *
 * What the parent sees is printed on stdout, one line a fact, for the
 * runner to compare between the libraries:
 *   phase <ms> <name>              a step of the fault begins
 *   event <ms> <label> <NAME> <v>  a monitor event of socket <label>
 *   fact <key> <value>             an outcome, compared between libraries
 *   figure <key> <value>           a measurement (times), printed only
 *   bad <text>                     something no library may do (a partial
 *                                  or corrupt message, a duplicate)
 * A step that does not happen in time is a `fact` too (e.g. `timeout`),
 * never a wait without end; the runner kills the whole process group
 * after its own deadline. Setup failures (socket calls) are CHECKs: the
 * program exits 1. */
#ifndef FAULT_H
#define FAULT_H
#define _GNU_SOURCE
#include "../c/check.h"
#include "../c/zmtp_raw.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define MIB (1024 * 1024)
#define UNUSED __attribute__ ((unused))

static int64_t t_start_ms;

static int64_t now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t since_start (void)
{
    if (!t_start_ms)
        t_start_ms = now_ms ();
    return now_ms () - t_start_ms;
}

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

UNUSED static void out (const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock (&out_lock);
    va_start (ap, fmt);
    vprintf (fmt, ap);
    va_end (ap);
    putchar ('\n');
    fflush (stdout);
    pthread_mutex_unlock (&out_lock);
}

UNUSED static void phase (const char *name)
{
    out ("phase %lld %s", (long long) since_start (), name);
}

UNUSED static void msleep (int ms)
{
    struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000};
    while (nanosleep (&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* ---- monitor: a thread per monitored socket records its events ---- */

UNUSED static const char *event_name (int e)
{
    switch (e) {
        case ZMQ_EVENT_CONNECTED: return "CONNECTED";
        case ZMQ_EVENT_CONNECT_DELAYED: return "CONNECT_DELAYED";
        case ZMQ_EVENT_CONNECT_RETRIED: return "CONNECT_RETRIED";
        case ZMQ_EVENT_LISTENING: return "LISTENING";
        case ZMQ_EVENT_BIND_FAILED: return "BIND_FAILED";
        case ZMQ_EVENT_ACCEPTED: return "ACCEPTED";
        case ZMQ_EVENT_ACCEPT_FAILED: return "ACCEPT_FAILED";
        case ZMQ_EVENT_CLOSED: return "CLOSED";
        case ZMQ_EVENT_CLOSE_FAILED: return "CLOSE_FAILED";
        case ZMQ_EVENT_DISCONNECTED: return "DISCONNECTED";
        case ZMQ_EVENT_MONITOR_STOPPED: return "MONITOR_STOPPED";
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
            return "HANDSHAKE_FAILED_NO_DETAIL";
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return "HANDSHAKE_SUCCEEDED";
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
            return "HANDSHAKE_FAILED_PROTOCOL";
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: return "HANDSHAKE_FAILED_AUTH";
        default: return "UNKNOWN";
    }
}

#define MAX_EVENTS 4096
typedef struct
{
    int64_t ms;
    int event;
    int value;
} ev_t;

typedef struct
{
    const char *label;
    void *mon; /* PAIR connected to the monitor endpoint */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    ev_t ev[MAX_EVENTS];
    int n;
    int stopped;
} monitor_t;

UNUSED static void *monitor_thread (void *arg)
{
    monitor_t *m = (monitor_t *) arg;
    while (1) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        if (zmq_msg_recv (&msg, m->mon, 0) == -1) {
            zmq_msg_close (&msg);
            if (errno == EAGAIN)
                continue;
            break;
        }
        uint16_t event = 0;
        uint32_t value = 0;
        if (zmq_msg_size (&msg) == 6) {
            memcpy (&event, zmq_msg_data (&msg), 2);
            memcpy (&value, (char *) zmq_msg_data (&msg) + 2, 4);
        }
        int more = zmq_msg_more (&msg);
        zmq_msg_close (&msg);
        if (more) { /* the address frame */
            zmq_msg_init (&msg);
            zmq_msg_recv (&msg, m->mon, 0);
            zmq_msg_close (&msg);
        }
        int64_t t = since_start ();
        out ("event %lld %s %s %d", (long long) t, m->label,
             event_name (event), (int) value);
        pthread_mutex_lock (&m->lock);
        if (m->n < MAX_EVENTS) {
            m->ev[m->n].ms = t;
            m->ev[m->n].event = event;
            m->ev[m->n].value = (int) value;
            m->n++;
        }
        if (event == ZMQ_EVENT_MONITOR_STOPPED)
            m->stopped = 1;
        pthread_cond_broadcast (&m->cond);
        pthread_mutex_unlock (&m->lock);
        if (event == ZMQ_EVENT_MONITOR_STOPPED)
            break;
    }
    return NULL;
}

UNUSED static monitor_t *monitor_start (void *ctx, void *sock, const char *label)
{
    static int seq;
    char ep[64];
    snprintf (ep, sizeof ep, "inproc://fault-monitor-%d", seq++);
    CHECK (zmq_socket_monitor (sock, ep, ZMQ_EVENT_ALL) == 0);
    monitor_t *m = (monitor_t *) calloc (1, sizeof *m);
    CHECK (m);
    m->label = label;
    pthread_mutex_init (&m->lock, NULL);
    pthread_cond_init (&m->cond, NULL);
    m->mon = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (m->mon);
    int timeout = 100;
    CHECK (zmq_setsockopt (m->mon, ZMQ_RCVTIMEO, &timeout, sizeof timeout)
           == 0);
    CHECK (zmq_connect (m->mon, ep) == 0);
    CHECK (pthread_create (&m->thread, NULL, monitor_thread, m) == 0);
    return m;
}

/* Stops the monitor (MONITOR_STOPPED) and joins its thread. */
UNUSED static void monitor_stop (monitor_t *m, void *sock)
{
    zmq_socket_monitor (sock, NULL, 0);
    pthread_mutex_lock (&m->lock);
    int64_t deadline = now_ms () + 2000;
    while (!m->stopped && now_ms () < deadline) {
        pthread_mutex_unlock (&m->lock);
        msleep (10);
        pthread_mutex_lock (&m->lock);
    }
    int stopped = m->stopped;
    pthread_mutex_unlock (&m->lock);
    if (!stopped)
        out ("bad monitor %s: no MONITOR_STOPPED", m->label);
    pthread_join (m->thread, NULL);
    zmq_close (m->mon);
}

/* Index of the next event to wait for (events before it are old). */
UNUSED static int monitor_mark (monitor_t *m)
{
    pthread_mutex_lock (&m->lock);
    int n = m->n;
    pthread_mutex_unlock (&m->lock);
    return n;
}

/* Waits for `event` at index >= *from (with `value` unless value < 0);
 * returns its time (ms since start) and moves *from past it, or -1 after
 * timeout_ms. */
UNUSED static int64_t monitor_wait (monitor_t *m, int *from, int event, int value,
                             int timeout_ms)
{
    int64_t deadline = now_ms () + timeout_ms;
    pthread_mutex_lock (&m->lock);
    while (1) {
        for (int i = *from; i < m->n; i++)
            if (m->ev[i].event == event
                && (value < 0 || m->ev[i].value == value)) {
                *from = i + 1;
                int64_t t = m->ev[i].ms;
                pthread_mutex_unlock (&m->lock);
                return t;
            }
        if (now_ms () >= deadline)
            break;
        struct timespec ts;
        clock_gettime (CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait (&m->cond, &m->lock, &ts);
    }
    pthread_mutex_unlock (&m->lock);
    return -1;
}

/* Count of `event` at indexes [from, now). */
UNUSED static int monitor_count (monitor_t *m, int from, int event)
{
    pthread_mutex_lock (&m->lock);
    int c = 0;
    for (int i = from; i < m->n; i++)
        c += m->ev[i].event == event;
    pthread_mutex_unlock (&m->lock);
    return c;
}

/* ---- child processes ---- */

typedef struct
{
    pid_t pid;
    int rd; /* read end of the child's notify pipe */
    char buf[4096];
    size_t len;
} child_t;

static const char *self_exe;

/* Runs this program again as `role` with up to 4 arguments; the child gets
 * the write end of a pipe as its last argument. */
UNUSED static child_t *spawn (const char *role, const char *a1, const char *a2,
                       const char *a3)
{
    int fds[2];
    CHECK (pipe (fds) == 0);
    fflush (stdout);
    pid_t pid = fork ();
    CHECK (pid >= 0);
    if (pid == 0) {
        prctl (PR_SET_PDEATHSIG, SIGKILL);
        close (fds[0]);
        char fdarg[16];
        snprintf (fdarg, sizeof fdarg, "%d", fds[1]);
        const char *argv[8];
        int n = 0;
        argv[n++] = self_exe;
        argv[n++] = role;
        argv[n++] = fdarg;
        if (a1)
            argv[n++] = a1;
        if (a2)
            argv[n++] = a2;
        if (a3)
            argv[n++] = a3;
        argv[n] = NULL;
        execv ("/proc/self/exe", (char *const *) argv);
        _exit (127);
    }
    close (fds[1]);
    child_t *c = (child_t *) calloc (1, sizeof *c);
    CHECK (c);
    c->pid = pid;
    c->rd = fds[0];
    return c;
}

/* Next line the child wrote (without '\n') into `line`, or 0 on timeout or
 * EOF. */
UNUSED static int child_read_line (child_t *c, char *line, size_t size,
                            int timeout_ms)
{
    int64_t deadline = now_ms () + timeout_ms;
    while (1) {
        char *nl = (char *) memchr (c->buf, '\n', c->len);
        if (nl) {
            size_t n = (size_t) (nl - c->buf);
            size_t k = n < size - 1 ? n : size - 1;
            memcpy (line, c->buf, k);
            line[k] = 0;
            memmove (c->buf, nl + 1, c->len - n - 1);
            c->len -= n + 1;
            return 1;
        }
        int left = (int) (deadline - now_ms ());
        if (left < 0)
            left = 0;
        struct pollfd p = {c->rd, POLLIN, 0};
        if (poll (&p, 1, left) <= 0) {
            if (now_ms () >= deadline)
                return 0;
            continue;
        }
        if (c->len == sizeof c->buf)
            c->len = 0;
        ssize_t r = read (c->rd, c->buf + c->len, sizeof c->buf - c->len);
        if (r <= 0)
            return 0;
        c->len += (size_t) r;
    }
}

/* Waits for a line starting with `prefix`; copies it into line. */
UNUSED static int child_expect (child_t *c, const char *prefix, char *line,
                         size_t size, int timeout_ms)
{
    int64_t deadline = now_ms () + timeout_ms;
    while (1) {
        int left = (int) (deadline - now_ms ());
        if (left <= 0 || !child_read_line (c, line, size, left))
            return 0;
        if (strncmp (line, prefix, strlen (prefix)) == 0)
            return 1;
    }
}

UNUSED static void child_kill (child_t *c, int sig)
{
    kill (c->pid, sig);
}

/* Reaps the child (after a kill, or waits up to timeout_ms for its exit;
 * then SIGKILL). Returns its wait status. */
UNUSED static int child_reap (child_t *c, int timeout_ms)
{
    int status = 0;
    int64_t deadline = now_ms () + timeout_ms;
    while (waitpid (c->pid, &status, WNOHANG) == 0) {
        if (now_ms () >= deadline) {
            kill (c->pid, SIGKILL);
            waitpid (c->pid, &status, 0);
            break;
        }
        msleep (5);
    }
    close (c->rd);
    free (c);
    return status;
}

/* In a child: a line to the parent. */
UNUSED static int notify_fd = -1;
UNUSED static void notify (const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (line, sizeof line - 1, fmt, ap);
    va_end (ap);
    if (n < 0)
        return;
    if (n > (int) sizeof line - 2)
        n = (int) sizeof line - 2;
    line[n++] = '\n';
    if (write (notify_fd, line, (size_t) n) < 0) {
    }
}

/* ---- raw tcp ---- */

UNUSED static int free_port (void)
{
    int s = socket (AF_INET, SOCK_STREAM, 0);
    CHECK (s >= 0);
    struct sockaddr_in a;
    memset (&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    CHECK (bind (s, (struct sockaddr *) &a, sizeof a) == 0);
    socklen_t len = sizeof a;
    CHECK (getsockname (s, (struct sockaddr *) &a, &len) == 0);
    close (s);
    return ntohs (a.sin_port);
}

UNUSED static int raw_listen (int port)
{
    int s = socket (AF_INET, SOCK_STREAM, 0);
    CHECK (s >= 0);
    int one = 1;
    CHECK (setsockopt (s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    struct sockaddr_in a;
    memset (&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons ((uint16_t) port);
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    CHECK (bind (s, (struct sockaddr *) &a, sizeof a) == 0);
    CHECK (listen (s, 16) == 0);
    return s;
}

UNUSED static int raw_connect (int port)
{
    int s = socket (AF_INET, SOCK_STREAM, 0);
    CHECK (s >= 0);
    struct sockaddr_in a;
    memset (&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons ((uint16_t) port);
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    CHECK (connect (s, (struct sockaddr *) &a, sizeof a) == 0);
    return s;
}

UNUSED static int write_all (int s, const void *data, size_t n)
{
    const char *p = (const char *) data;
    while (n) {
        ssize_t w = write (s, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

/* Reads exactly n bytes, or -1 on EOF, error or timeout. */
UNUSED static int read_all (int s, void *data, size_t n, int timeout_ms)
{
    char *p = (char *) data;
    int64_t deadline = now_ms () + timeout_ms;
    while (n) {
        int left = (int) (deadline - now_ms ());
        if (left <= 0)
            return -1;
        struct pollfd pf = {s, POLLIN, 0};
        if (poll (&pf, 1, left) <= 0)
            continue;
        ssize_t r = read (s, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t) r;
    }
    return 0;
}



/* A frame header (flags 0 or 1 for MORE) for `size` bytes; returns its
 * length. */
UNUSED static size_t zmtp_frame_header (unsigned char *buf, uint64_t size, int more)
{
    if (size < 256) {
        buf[0] = (unsigned char) (more ? 1 : 0);
        buf[1] = (unsigned char) size;
        return 2;
    }
    buf[0] = (unsigned char) (2 | (more ? 1 : 0));
    for (int i = 0; i < 8; i++)
        buf[1 + i] = (unsigned char) (size >> (56 - 8 * i));
    return 9;
}

/* Reads one frame header; returns flags or -1, size in *size. */
UNUSED static int zmtp_read_header (int s, uint64_t *size, int timeout_ms)
{
    unsigned char h[9];
    if (read_all (s, h, 1, timeout_ms) < 0)
        return -1;
    if (h[0] & 2) {
        if (read_all (s, h + 1, 8, timeout_ms) < 0)
            return -1;
        uint64_t n = 0;
        for (int i = 0; i < 8; i++)
            n = (n << 8) | h[1 + i];
        *size = n;
    } else {
        if (read_all (s, h + 1, 1, timeout_ms) < 0)
            return -1;
        *size = h[1];
    }
    return h[0];
}

/* A NULL handshake as a libzmq peer does it: our greeting, the peer's,
 * our READY, the peer's READY. Messages may follow (libzmq drops a peer
 * that sends them in the same write as its READY, sometimes: see
 * docs/reliability.md). Returns 0 or -1. */
UNUSED static int zmtp_handshake (int s, const char *type)
{
    unsigned char buf[256];
    zmtp_greeting (buf);
    if (write_all (s, buf, 64) < 0 || read_all (s, buf, 64, 5000) < 0)
        return -1;
    size_t n = zmtp_ready (buf, type);
    if (write_all (s, buf, n) < 0)
        return -1;
    uint64_t size;
    int flags = zmtp_read_header (s, &size, 5000);
    if (flags < 0 || !(flags & 4) || size > sizeof buf
        || read_all (s, buf, size, 5000) < 0)
        return -1;
    return 0;
}

/* The 64 MiB test message: byte i is (i * 7 + i / 4096) & 0xff; its
 * first 8 bytes name it. */
UNUSED static void big_fill (unsigned char *p, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char) (i * 7 + i / 4096);
    memcpy (p, name, strlen (name) < 8 ? strlen (name) : 8);
}

UNUSED static int big_check (const unsigned char *p, size_t n)
{
    for (size_t i = 8; i < n; i++)
        if (p[i] != (unsigned char) (i * 7 + i / 4096))
            return 0;
    return 1;
}

UNUSED static void set_int (void *s, int opt, int v)
{
    CHECK (zmq_setsockopt (s, opt, &v, sizeof v) == 0);
}

/* A child role: a ROUTER bound on the port, echoing every message to its
 * sender, until killed. Says "bound". With heartbeat options when hb_ivl
 * (ZMQ_HEARTBEAT_IVL) or hb_ttl (ZMQ_HEARTBEAT_TTL) are not 0. */
UNUSED static int role_zmq_echo_with (int port, int hb_ivl, int hb_ttl)
{
    void *ctx = zmq_ctx_new ();
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    if (hb_ivl)
        set_int (router, ZMQ_HEARTBEAT_IVL, hb_ivl);
    if (hb_ttl)
        set_int (router, ZMQ_HEARTBEAT_TTL, hb_ttl);
    char ep[64];
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    CHECK (zmq_bind (router, ep) == 0);
    notify ("bound");
    while (1) {
        zmq_msg_t id, body;
        zmq_msg_init (&id);
        zmq_msg_init (&body);
        if (zmq_msg_recv (&id, router, 0) == -1
            || zmq_msg_recv (&body, router, 0) == -1)
            return 1;
        zmq_msg_send (&id, router, ZMQ_SNDMORE);
        zmq_msg_send (&body, router, 0);
    }
}

UNUSED static int role_zmq_echo (int port)
{
    return role_zmq_echo_with (port, 0, 0);
}

/* Receives one message (its last frame) into text, or -1 after
 * timeout_ms. */
UNUSED static int recv_text (void *s, char *text, size_t size, int timeout_ms)
{
    set_int (s, ZMQ_RCVTIMEO, timeout_ms);
    int more = 1;
    int n = -1;
    while (more) {
        n = zmq_recv (s, text, size - 1, 0);
        if (n < 0)
            return -1;
        if ((size_t) n > size - 1)
            n = (int) size - 1;
        text[n] = 0;
        size_t ms = sizeof more;
        zmq_getsockopt (s, ZMQ_RCVMORE, &more, &ms);
    }
    return n;
}

UNUSED static void append (char *list, size_t size, const char *item)
{
    size_t len = strlen (list);
    snprintf (list + len, size - len, "%s%s", len ? "," : "", item);
}

/* Common start of every program: stdout line-buffered, self path. */
UNUSED static void fault_init (char **argv)
{
    self_exe = argv[0];
    setvbuf (stdout, NULL, _IOLBF, 0);
    signal (SIGPIPE, SIG_IGN);
    since_start ();
}


UNUSED static int endpoint_port (void *s)
{
    char ep[256];
    size_t n = sizeof ep;
    CHECK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, ep, &n) == 0);
    char *colon = strrchr (ep, ':');
    CHECK (colon);
    return atoi (colon + 1);
}
#endif
