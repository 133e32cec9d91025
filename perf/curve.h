/* Force-included (-include) into upstream's local_thr/remote_thr/local_lat/
 * remote_lat to run them over CURVE, unchanged otherwise: the binding side
 * becomes the CURVE server, the connecting side its client. Keys are the
 * test pairs of libzmq's doc/zmq_curve.txt. No ZAP handler is bound, so the
 * server accepts any client key (libzmq's behaviour), as a plain
 * encrypted-transport deployment does. */
#ifndef PERF_CURVE_H
#define PERF_CURVE_H

#include "../include/zmq.h"
#include <stdio.h>
#include <stdlib.h>

#define PERF_SERVER_PUBLIC "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
#define PERF_SERVER_SECRET "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
#define PERF_CLIENT_PUBLIC "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
#define PERF_CLIENT_SECRET "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"

static inline void perf_curve_set (void *s_, int option_, const void *v_, size_t n_)
{
    if (zmq_setsockopt (s_, option_, v_, n_) != 0) {
        printf ("error in zmq_setsockopt (CURVE): %s\n", zmq_strerror (zmq_errno ()));
        exit (1);
    }
}

static inline int perf_curve_bind (void *s_, const char *addr_)
{
    int one = 1;
    perf_curve_set (s_, ZMQ_CURVE_SERVER, &one, sizeof one);
    perf_curve_set (s_, ZMQ_CURVE_SECRETKEY, PERF_SERVER_SECRET, 40);
    return zmq_bind (s_, addr_);
}

static inline int perf_curve_connect (void *s_, const char *addr_)
{
    perf_curve_set (s_, ZMQ_CURVE_SERVERKEY, PERF_SERVER_PUBLIC, 40);
    perf_curve_set (s_, ZMQ_CURVE_PUBLICKEY, PERF_CLIENT_PUBLIC, 40);
    perf_curve_set (s_, ZMQ_CURVE_SECRETKEY, PERF_CLIENT_SECRET, 40);
    return zmq_connect (s_, addr_);
}

#define zmq_bind perf_curve_bind
#define zmq_connect perf_curve_connect

#endif
