/* Helpers shared by the load tests (tests/load/run.py builds and runs
 * them): RSS from /proc, a monotonic clock, RLIMIT_NOFILE, and raw tcp
 * sockets for the peers that are not a libzmq socket (a ZMTP client
 * written by hand, a listener that never reads). Every program prints its
 * figures as one line `RESULT key=value ...`, which the runner parses; a
 * program exits non-zero only when something is plainly broken (an error
 * return, a lost or wrong message); the bounds are the runner's. */
#ifndef LOAD_H
#define LOAD_H
#define _GNU_SOURCE
#include "../c/check.h"
#include "../c/zmtp_raw.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A field of /proc/self/status in kB: "VmRSS:" (now), "VmHWM:" (peak). */
static long status_kb (const char *field)
{
    FILE *f = fopen ("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t fl = strlen (field);
    CHECK (f);
    while (fgets (line, sizeof line, f))
        if (strncmp (line, field, fl) == 0)
            kb = strtol (line + fl, NULL, 10);
    fclose (f);
    return kb;
}

static long rss_kb (void)
{
    return status_kb ("VmRSS:");
}

static double now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Raise the soft fd limit to the hard one; returns the new soft limit. */
static long raise_nofile (void)
{
    struct rlimit rl;
    CHECK (getrlimit (RLIMIT_NOFILE, &rl) == 0);
    rl.rlim_cur = rl.rlim_max;
    CHECK (setrlimit (RLIMIT_NOFILE, &rl) == 0);
    return (long) rl.rlim_cur;
}

/* A raw tcp listener on 127.0.0.1, ephemeral port; *port receives it. */
static int raw_listen (int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    CHECK (fd >= 0);
    memset (&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    CHECK (bind (fd, (struct sockaddr *) &a, sizeof a) == 0);
    CHECK (listen (fd, 128) == 0);
    CHECK (getsockname (fd, (struct sockaddr *) &a, &len) == 0);
    *port = ntohs (a.sin_port);
    return fd;
}

/* accept() with a timeout in ms; -1 on timeout. */
static int raw_accept (int lfd, int timeout_ms)
{
    struct pollfd p = {lfd, POLLIN, 0};
    if (poll (&p, 1, timeout_ms) != 1)
        return -1;
    return accept (lfd, NULL, NULL);
}



static void write_all (int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write (fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        CHECK (w > 0);
        p += w;
        len -= (size_t) w;
    }
}
#endif
