/* The raw floor for perf/run.py: the work of upstream's local_thr/remote_thr
 * and local_lat/remote_lat over a plain stream socket, without any library.
 *
 *   raw local_thr  tcp://127.0.0.1:PORT|ipc://PATH SIZE COUNT   binds, receives, prints
 *   raw remote_thr ENDPOINT SIZE COUNT                          connects, sends
 *   raw local_lat  ENDPOINT SIZE COUNT                          binds, echoes
 *   raw remote_lat ENDPOINT SIZE COUNT                          connects, pings, prints
 *
 * Frames are ZMTP 3's: a flags byte, then the size in 1 byte (short frame,
 * up to 255 bytes) or in 8 bytes big-endian (long frame). Throughput: the
 * sender copies frames into an 8 KiB batch (libzmq's ZMQ_OUT_BATCH_SIZE) and
 * writes it when full, writing a large body straight from the message when
 * the batch is empty (libzmq's encoder does the same); the receiver reads
 * into an 8 KiB buffer (ZMQ_IN_BATCH_SIZE), parses the frames and copies
 * each body into a message buffer (a large body is read straight into it).
 * Latency: one frame each way per round trip, blocking reads. TCP_NODELAY
 * as libzmq sets it. The output is upstream's, so the harness parses both
 * the same way. Plain C99 + POSIX sockets.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BATCH 8192

static void die (const char *what)
{
    printf ("error in %s: %s\n", what, strerror (errno));
    exit (255);
}

static double now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

/* Parses tcp://A.B.C.D:PORT or ipc://PATH; returns the address length. */
static socklen_t parse_endpoint (const char *ep, struct sockaddr_storage *ss)
{
    memset (ss, 0, sizeof *ss);
    if (strncmp (ep, "tcp://", 6) == 0) {
        char host[64];
        const char *colon = strrchr (ep + 6, ':');
        size_t n = colon ? (size_t) (colon - (ep + 6)) : 0;
        struct sockaddr_in *in = (struct sockaddr_in *) ss;
        if (!colon || n == 0 || n >= sizeof host) {
            errno = EINVAL;
            die ("endpoint");
        }
        memcpy (host, ep + 6, n);
        host[n] = 0;
        in->sin_family = AF_INET;
        in->sin_port = htons ((uint16_t) atoi (colon + 1));
        if (inet_pton (AF_INET, host, &in->sin_addr) != 1) {
            errno = EINVAL;
            die ("endpoint");
        }
        return sizeof *in;
    }
    if (strncmp (ep, "ipc://", 6) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *) ss;
        if (strlen (ep + 6) >= sizeof un->sun_path) {
            errno = ENAMETOOLONG;
            die ("endpoint");
        }
        un->sun_family = AF_UNIX;
        strcpy (un->sun_path, ep + 6);
        return sizeof *un;
    }
    errno = EPROTONOSUPPORT;
    die ("endpoint");
    return 0;
}

static void tune (int fd, int family)
{
    int one = 1;
    if (family == AF_INET
        && setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        die ("setsockopt");
}

static int bind_accept (const char *ep)
{
    struct sockaddr_storage ss;
    socklen_t len = parse_endpoint (ep, &ss);
    int one = 1, fd, conn;
    fd = socket (ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        die ("socket");
    if (ss.ss_family == AF_UNIX)
        unlink (((struct sockaddr_un *) &ss)->sun_path);
    else
        setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind (fd, (struct sockaddr *) &ss, len) != 0)
        die ("bind");
    if (listen (fd, 1) != 0)
        die ("listen");
    conn = accept (fd, NULL, NULL);
    if (conn < 0)
        die ("accept");
    close (fd);
    tune (conn, ss.ss_family);
    return conn;
}

static int connect_retry (const char *ep)
{
    struct sockaddr_storage ss;
    socklen_t len = parse_endpoint (ep, &ss);
    int tries;
    for (tries = 0; tries < 2000; tries++) {   /* 10 s: the binder may start late */
        struct timespec pause = {0, 5000000};
        int fd = socket (ss.ss_family, SOCK_STREAM, 0);
        if (fd < 0)
            die ("socket");
        if (connect (fd, (struct sockaddr *) &ss, len) == 0) {
            tune (fd, ss.ss_family);
            return fd;
        }
        if (errno != ECONNREFUSED && errno != ENOENT)
            die ("connect");
        close (fd);
        nanosleep (&pause, NULL);
    }
    die ("connect");
    return -1;
}

/* ZMTP 3 frame header for a body of size bytes; returns its length. */
static size_t frame_header (unsigned char *h, size_t size)
{
    int i;
    if (size < 256) {
        h[0] = 0;
        h[1] = (unsigned char) size;
        return 2;
    }
    h[0] = 2;
    for (i = 0; i < 8; i++)
        h[1 + i] = (unsigned char) ((uint64_t) size >> (56 - 8 * i));
    return 9;
}

/* 1: all written; 0: the peer went away (the harness stops the sender that
 * way once the receiver has what it measures). */
static int write_all (int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write (fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE || errno == ECONNRESET)
                return 0;
            die ("write");
        }
        p += w;
        n -= (size_t) w;
    }
    return 1;
}

static void read_all (int fd, unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read (fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            die ("read");
        if (r == 0) {
            errno = ECONNRESET;
            die ("read");
        }
        p += r;
        n -= (size_t) r;
    }
}

static void remote_thr (const char *ep, size_t size, long count)
{
    static unsigned char batch[BATCH];
    unsigned char *body = malloc (size ? size : 1), hdr[9];
    size_t used = 0;
    long i;
    int fd = connect_retry (ep);
    if (!body)
        die ("malloc");
    memset (body, 'x', size);
    for (i = 0; i < count; i++) {
        size_t hlen = frame_header (hdr, size), off = 0;
        const unsigned char *src = hdr;
        size_t left = hlen;
        int part;
        for (part = 0; part < 2; part++) {
            while (left > 0) {
                size_t n;
                if (used == 0 && part == 1 && left >= BATCH) {
                    /* A large body goes out from the message itself. */
                    if (!write_all (fd, src + off, left))
                        return;
                    break;
                }
                n = BATCH - used < left ? BATCH - used : left;
                memcpy (batch + used, src + off, n);
                used += n;
                off += n;
                left -= n;
                if (used == BATCH) {
                    if (!write_all (fd, batch, used))
                        return;
                    used = 0;
                }
            }
            src = body;
            off = 0;
            left = size;
        }
    }
    if (used > 0)
        write_all (fd, batch, used);
    close (fd);
    free (body);
}

static void local_thr (const char *ep, size_t size, long count)
{
    static unsigned char buf[BATCH];
    unsigned char *msg = malloc (size ? size : 1), hdr[9];
    size_t pos = 0, len = 0, hgot = 0, hneed = 1, bgot = 0, body = 0;
    int in_body = 0;
    long got = 0;
    double start = 0, elapsed, throughput;
    int fd = bind_accept (ep);
    if (!msg)
        die ("malloc");
    while (got < count) {
        if (pos == len) {
            ssize_t r;
            if (in_body && body - bgot >= BATCH) {
                /* A large body is read straight into the message. */
                r = read (fd, msg + bgot, body - bgot);
                if (r <= 0) {
                    if (r < 0 && errno == EINTR)
                        continue;
                    if (r == 0)
                        errno = ECONNRESET;
                    die ("read");
                }
                bgot += (size_t) r;
            } else {
                r = read (fd, buf, BATCH);
                if (r <= 0) {
                    if (r < 0 && errno == EINTR)
                        continue;
                    if (r == 0)
                        errno = ECONNRESET;
                    die ("read");
                }
                pos = 0;
                len = (size_t) r;
            }
        }
        if (!in_body) {
            while (hgot < hneed && pos < len) {
                hdr[hgot++] = buf[pos++];
                if (hgot == 1)
                    hneed = (hdr[0] & 2) ? 9 : 2;
            }
            if (hgot < hneed)
                continue;
            if (hneed == 2)
                body = hdr[1];
            else {
                int k;
                body = 0;
                for (k = 1; k < 9; k++)
                    body = (body << 8) | hdr[k];
            }
            if (body != size) {
                printf ("message of incorrect size received\n");
                exit (255);
            }
            in_body = 1;
            bgot = 0;
        }
        if (bgot < body && pos < len) {
            size_t n = len - pos < body - bgot ? len - pos : body - bgot;
            memcpy (msg + bgot, buf + pos, n);
            pos += n;
            bgot += n;
        }
        if (bgot == body) {
            if (got++ == 0)
                start = now_us ();
            in_body = 0;
            hgot = 0;
            hneed = 1;
        }
    }
    elapsed = now_us () - start;
    if (elapsed < 1)
        elapsed = 1;
    throughput = (double) count / elapsed * 1000000;
    printf ("message size: %d [B]\n", (int) size);
    printf ("message count: %ld\n", count);
    printf ("mean throughput: %d [msg/s]\n", (int) throughput);
    printf ("mean throughput: %.3f [Mb/s]\n", throughput * (double) size * 8 / 1000000);
    close (fd);
    free (msg);
}

/* One frame of the ping-pong: header and body in one buffer. */
static unsigned char *lat_frame (size_t size, size_t *flen)
{
    unsigned char hdr[9];
    size_t hlen = frame_header (hdr, size);
    unsigned char *f = malloc (hlen + size);
    if (!f)
        die ("malloc");
    memcpy (f, hdr, hlen);
    memset (f + hlen, 'x', size);
    *flen = hlen + size;
    return f;
}

static void check_frame (const unsigned char *f, size_t size)
{
    unsigned char hdr[9];
    size_t hlen = frame_header (hdr, size);
    if (memcmp (f, hdr, hlen) != 0) {
        printf ("message of incorrect size received\n");
        exit (255);
    }
}

static void local_lat (const char *ep, size_t size, long count)
{
    size_t flen;
    unsigned char *f = lat_frame (size, &flen);
    long i;
    int fd = bind_accept (ep);
    for (i = 0; i < count; i++) {
        read_all (fd, f, flen);
        check_frame (f, size);
        if (!write_all (fd, f, flen))
            die ("write");
    }
    close (fd);
    free (f);
}

static void remote_lat (const char *ep, size_t size, long count)
{
    size_t flen;
    unsigned char *f = lat_frame (size, &flen), *in = malloc (flen);
    long i;
    double start, elapsed;
    int fd = connect_retry (ep);
    if (!in)
        die ("malloc");
    start = now_us ();
    for (i = 0; i < count; i++) {
        if (!write_all (fd, f, flen))
            die ("write");
        read_all (fd, in, flen);
        check_frame (in, size);
    }
    elapsed = now_us () - start;
    printf ("message size: %d [B]\n", (int) size);
    printf ("roundtrip count: %ld\n", count);
    printf ("average latency: %.3f [us]\n", elapsed / ((double) count * 2));
    close (fd);
    free (f);
    free (in);
}

int main (int argc, char *argv[])
{
    long count;
    size_t size;
    if (argc != 5) {
        printf ("usage: raw local_thr|remote_thr|local_lat|remote_lat"
                " <tcp://IP:PORT|ipc://PATH> <message-size> <count>\n");
        return 1;
    }
    signal (SIGPIPE, SIG_IGN);
    size = (size_t) atol (argv[3]);
    count = atol (argv[4]);
    if (count < 1) {
        printf ("usage: count must be at least 1\n");
        return 1;
    }
    if (strcmp (argv[1], "local_thr") == 0)
        local_thr (argv[2], size, count);
    else if (strcmp (argv[1], "remote_thr") == 0)
        remote_thr (argv[2], size, count);
    else if (strcmp (argv[1], "local_lat") == 0)
        local_lat (argv[2], size, count);
    else if (strcmp (argv[1], "remote_lat") == 0)
        remote_lat (argv[2], size, count);
    else {
        printf ("usage: unknown mode %s\n", argv[1]);
        return 1;
    }
    return 0;
}
