/* The rest of the API's answers to misuse and to every number, compared
 * line by line: zmq_socket for every type number, zmq_ctx_set/zmq_ctx_get
 * (and the draft _ext pair) for every option number with representative
 * values, each on a fresh context, and calls on NULL or wrong handles
 * that libzmq answers without crashing. One line per call:
 *
 *   <call> = ok[:<value>] | E<errno>
 *
 * Built against the reference libzmq it makes tests/tables/api.txt
 * (tools/reference-tables.sh); tests/tables.rs runs it against ours.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static void rc_line (const char *call, int rc)
{
    if (rc < 0)
        printf ("%s = E%d\n", call, errno);
    else
        printf ("%s = ok:%d\n", call, rc);
}

static const int ctx_opts[] = {-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 42, 70, 1000};
static const int ctx_vals[] = {-1, 0, 1, 2, 1024, 65536, INT_MAX};
#define N(a) (sizeof a / sizeof a[0])

int main (void)
{
    char call[256];
    setvbuf (stdout, NULL, _IOLBF, 0);
    printf ("# zmq_socket, zmq_ctx_set/get and handle misuse; see tests/tables/api.c\n");

    void *ctx = zmq_ctx_new ();
    for (int t = -1; t <= 25; t++) {
        errno = 0;
        void *s = zmq_socket (ctx, t);
        snprintf (call, sizeof call, "zmq_socket(%d)", t);
        rc_line (call, s ? 0 : -1);
        if (s)
            zmq_close (s);
    }
    zmq_ctx_term (ctx);

    /* A fresh context's answers. */
    ctx = zmq_ctx_new ();
    for (size_t o = 0; o < N (ctx_opts); o++) {
        errno = 0;
        snprintf (call, sizeof call, "zmq_ctx_get(%d)", ctx_opts[o]);
        rc_line (call, zmq_ctx_get (ctx, ctx_opts[o]));
    }
    zmq_ctx_term (ctx);

    for (size_t o = 0; o < N (ctx_opts); o++)
        for (size_t v = 0; v < N (ctx_vals); v++) {
            ctx = zmq_ctx_new ();
            errno = 0;
            int rc = zmq_ctx_set (ctx, ctx_opts[o], ctx_vals[v]);
            snprintf (call, sizeof call, "zmq_ctx_set(%d, %d)", ctx_opts[o],
                      ctx_vals[v]);
            rc_line (call, rc);
            errno = 0;
            snprintf (call, sizeof call, "  then zmq_ctx_get(%d)", ctx_opts[o]);
            rc_line (call, zmq_ctx_get (ctx, ctx_opts[o]));
            zmq_ctx_term (ctx);
        }

#ifdef ZMQ_BUILD_DRAFT_API
    /* The _ext pair with buffers of several sizes. */
    const size_t sizes[] = {0, 1, 4, 8, 16, 256};
    for (size_t o = 0; o < N (ctx_opts); o++)
        for (size_t z = 0; z < N (sizes); z++) {
            char in[256];
            memset (in, 0, sizeof in);
            memcpy (in, "name", 4);
            int one = 1;
            if (sizes[z] == 4)
                memcpy (in, &one, 4);
            ctx = zmq_ctx_new ();
            errno = 0;
            int rc = zmq_ctx_set_ext (ctx, ctx_opts[o], in, sizes[z]);
            snprintf (call, sizeof call, "zmq_ctx_set_ext(%d, %zu)", ctx_opts[o],
                      sizes[z]);
            rc_line (call, rc);
            char out[256];
            memset (out, 0xAA, sizeof out);
            size_t len = sizes[z];
            errno = 0;
            rc = zmq_ctx_get_ext (ctx, ctx_opts[o], out, &len);
            snprintf (call, sizeof call, "  then zmq_ctx_get_ext(%d, %zu)",
                      ctx_opts[o], sizes[z]);
            if (rc < 0)
                printf ("%s = E%d\n", call, errno);
            else {
                printf ("%s = ok:len%zu:", call, len);
                for (size_t i = 0; i < sizes[z] && i < 16; i++)
                    printf ("%02x", (unsigned char) out[i]);
                printf ("\n");
            }
            zmq_ctx_term (ctx);
        }
#endif

    /* NULL handles. */
    int v = 0;
    size_t len = sizeof v;
    errno = 0;
    rc_line ("zmq_socket(NULL)", zmq_socket (NULL, ZMQ_PAIR) ? 0 : -1);
    errno = 0;
    rc_line ("zmq_close(NULL)", zmq_close (NULL));
    errno = 0;
    rc_line ("zmq_setsockopt(NULL)", zmq_setsockopt (NULL, ZMQ_LINGER, &v, sizeof v));
    errno = 0;
    rc_line ("zmq_getsockopt(NULL)", zmq_getsockopt (NULL, ZMQ_LINGER, &v, &len));
    errno = 0;
    rc_line ("zmq_bind(NULL)", zmq_bind (NULL, "inproc://x"));
    errno = 0;
    rc_line ("zmq_connect(NULL)", zmq_connect (NULL, "inproc://x"));
    errno = 0;
    rc_line ("zmq_unbind(NULL)", zmq_unbind (NULL, "inproc://x"));
    errno = 0;
    rc_line ("zmq_disconnect(NULL)", zmq_disconnect (NULL, "inproc://x"));
    errno = 0;
    rc_line ("zmq_send(NULL)", zmq_send (NULL, "x", 1, 0));
    errno = 0;
    rc_line ("zmq_send_const(NULL)", zmq_send_const (NULL, "x", 1, 0));
    errno = 0;
    rc_line ("zmq_recv(NULL)", zmq_recv (NULL, &v, sizeof v, 0));
    errno = 0;
    rc_line ("zmq_ctx_set(NULL)", zmq_ctx_set (NULL, ZMQ_IO_THREADS, 1));
    errno = 0;
    rc_line ("zmq_ctx_get(NULL)", zmq_ctx_get (NULL, ZMQ_IO_THREADS));
    errno = 0;
    rc_line ("zmq_ctx_term(NULL)", zmq_ctx_term (NULL));
    errno = 0;
    rc_line ("zmq_ctx_shutdown(NULL)", zmq_ctx_shutdown (NULL));
    errno = 0;
    rc_line ("zmq_ctx_destroy(NULL)", zmq_ctx_destroy (NULL));
    errno = 0;
    rc_line ("zmq_term(NULL)", zmq_term (NULL));
    errno = 0;
    rc_line ("zmq_socket_monitor(NULL)", zmq_socket_monitor (NULL, "inproc://m", 0));
    errno = 0;
    rc_line ("zmq_proxy(NULL, NULL)", zmq_proxy (NULL, NULL, NULL));
    /* A context where a socket is wanted and the other way round. */
    ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_PAIR);
    errno = 0;
    rc_line ("zmq_bind(ctx)", zmq_bind (ctx, "inproc://x"));
    errno = 0;
    rc_line ("zmq_setsockopt(ctx)", zmq_setsockopt (ctx, ZMQ_LINGER, &v, sizeof v));
    errno = 0;
    rc_line ("zmq_ctx_set(socket)", zmq_ctx_set (s, ZMQ_IO_THREADS, 1));
    errno = 0;
    rc_line ("zmq_ctx_get(socket)", zmq_ctx_get (s, ZMQ_IO_THREADS));
    errno = 0;
    rc_line ("zmq_socket(socket)", zmq_socket (s, ZMQ_PAIR) ? 0 : -1);
    /* (zmq_bind and friends with a NULL endpoint assert in libzmq.) */
    errno = 0;
    rc_line ("zmq_socket_monitor(s, NULL, 0)", zmq_socket_monitor (s, NULL, 0));
    errno = 0;
    rc_line ("zmq_socket_monitor(s, tcp)",
             zmq_socket_monitor (s, "tcp://127.0.0.1:5555", ZMQ_EVENT_ALL));
    errno = 0;
    rc_line ("zmq_socket_monitor(s, bogus)", zmq_socket_monitor (s, "bogus", ZMQ_EVENT_ALL));
    /* (zmq_send of NULL with a length crashes libzmq.) */
    errno = 0;
    rc_line ("zmq_send(s, NULL, 0)", zmq_send (s, NULL, 0, ZMQ_DONTWAIT));
    errno = 0;
    rc_line ("zmq_recv(s, NULL, 0)", zmq_recv (s, NULL, 0, ZMQ_DONTWAIT));
    errno = 0;
    rc_line ("zmq_send(s, flags 0xff)", zmq_send (s, "x", 1, 0xff));
    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}
