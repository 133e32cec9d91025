/* Force-included (-include) into upstream's local_thr/remote_thr/local_lat/
 * remote_lat to run them over wss, unchanged otherwise: the binding side
 * serves upstream test_wss_transport's certificate for zeromq.org, the
 * connecting side trusts it and checks that name. PERF_WSS_CERT and
 * PERF_WSS_KEY (PEM file paths) are given with -D by perf/run.py. */
#ifndef PERF_WSS_H
#define PERF_WSS_H

#include "../include/zmq.h"
#include <stdio.h>
#include <stdlib.h>

/* Draft options; the perf programs include the stable header. */
#ifndef ZMQ_WSS_KEY_PEM
#define ZMQ_WSS_KEY_PEM 103
#define ZMQ_WSS_CERT_PEM 104
#define ZMQ_WSS_TRUST_PEM 105
#define ZMQ_WSS_HOSTNAME 106
#endif

static inline void perf_wss_set_file (void *s_, int option_, const char *path_)
{
    static char buf[16384];
    FILE *f = fopen (path_, "rb");
    if (!f) {
        printf ("error: cannot open %s\n", path_);
        exit (1);
    }
    size_t n = fread (buf, 1, sizeof buf, f);
    fclose (f);
    if (zmq_setsockopt (s_, option_, buf, n) != 0) {
        printf ("error in zmq_setsockopt (WSS): %s\n", zmq_strerror (zmq_errno ()));
        exit (1);
    }
}

static inline int perf_wss_bind (void *s_, const char *addr_)
{
    perf_wss_set_file (s_, ZMQ_WSS_CERT_PEM, PERF_WSS_CERT);
    perf_wss_set_file (s_, ZMQ_WSS_KEY_PEM, PERF_WSS_KEY);
    return zmq_bind (s_, addr_);
}

static inline int perf_wss_connect (void *s_, const char *addr_)
{
    perf_wss_set_file (s_, ZMQ_WSS_TRUST_PEM, PERF_WSS_CERT);
    if (zmq_setsockopt (s_, ZMQ_WSS_HOSTNAME, "zeromq.org", 10) != 0) {
        printf ("error in zmq_setsockopt (WSS): %s\n", zmq_strerror (zmq_errno ()));
        exit (1);
    }
    return zmq_connect (s_, addr_);
}

#define zmq_bind perf_wss_bind
#define zmq_connect perf_wss_connect

#endif
