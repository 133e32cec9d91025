/* Built against an installed libzmq (tests/install/run.sh), by pkg-config
 * or CMake, shared or static: checks that what it runs on is ours, from the
 * expected place, and that it works.
 *
 *   check LIBFILE    the real path the shared libzmq must be loaded from
 *   check static     libzmq must be linked into the program itself
 *
 * Ours says zmq_has("wss") == 1 (rustls); stock libzmq builds without TLS say
 * 0, and Debian's libzmq5 has no drafts. dladdr names the file zmq_send
 * comes from. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#ifndef ZMQ_BUILD_DRAFT_API
#error "the installed build flags should define ZMQ_BUILD_DRAFT_API (our library has the drafts)"
#endif

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf (stderr, "check: failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);            \
            exit (1);                                                                              \
        }                                                                                          \
    } while (0)

int main (int argc, char *argv[])
{
    CHECK (argc == 2);
    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    CHECK (major == 4 && minor == 3 && patch == 5);
    CHECK (zmq_has ("wss") == 1);
    CHECK (zmq_has ("curve") == 1);
    CHECK (zmq_has ("draft") == 1);

    /* Where zmq_send lives: the installed shared library, or this program.
     * A fully static program (cc -static) has no link map for dladdr to
     * search; its caller checks with ldd that it loads no libzmq. */
    Dl_info info;
    char from[PATH_MAX] = "this program", self[PATH_MAX];
    if (strcmp (argv[1], "static") == 0) {
        if (dladdr ((void *) zmq_send, &info) != 0 && info.dli_fname) {
            CHECK (realpath (info.dli_fname, from) != NULL);
            CHECK (realpath ("/proc/self/exe", self) != NULL);
            CHECK (strcmp (from, self) == 0);
        }
    } else {
        CHECK (dladdr ((void *) zmq_send, &info) != 0 && info.dli_fname);
        CHECK (realpath (info.dli_fname, from) != NULL);
        CHECK (strcmp (from, argv[1]) == 0);
    }

    /* A draft API call and a round trip, so the library really works. */
    void *ctx = zmq_ctx_new ();
    void *rep = zmq_socket (ctx, ZMQ_REP);
    void *req = zmq_socket (ctx, ZMQ_REQ);
    CHECK (zmq_bind (rep, "inproc://check") == 0);
    CHECK (zmq_connect (req, "inproc://check") == 0);
    void *poller = zmq_poller_new ();
    CHECK (poller && zmq_poller_add (poller, rep, NULL, ZMQ_POLLIN) == 0);
    CHECK (zmq_send (req, "ping", 4, 0) == 4);
    zmq_poller_event_t event;
    CHECK (zmq_poller_wait (poller, &event, 5000) == 0 && event.socket == rep);
    char buf[8];
    CHECK (zmq_recv (rep, buf, sizeof buf, 0) == 4 && memcmp (buf, "ping", 4) == 0);
    CHECK (zmq_send (rep, "pong", 4, 0) == 4);
    CHECK (zmq_recv (req, buf, sizeof buf, 0) == 4 && memcmp (buf, "pong", 4) == 0);
    zmq_poller_destroy (&poller);
    zmq_close (req);
    zmq_close (rep);
    zmq_ctx_term (ctx);

    printf ("check: libzmq %d.%d.%d from %s, wss %d\n", major, minor, patch, from, zmq_has ("wss"));
    return 0;
}
