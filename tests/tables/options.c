/* The socket options differential prober.
 *
 * For every socket type (PAIR..CHANNEL, drafts and DGRAM included) and
 * every option number from -1 to 130 (and 1000), it calls
 *   - zmq_setsockopt with a set of representative values, each on a fresh
 *     socket, then reads the option back with buffers of 4, 8, 32, 41 and
 *     256 bytes, and reads the options others change as a side effect
 *     (ZMQ_IPV6, ZMQ_MECHANISM, ZMQ_PLAIN_SERVER, ZMQ_CURVE_SERVER);
 *   - zmq_getsockopt on a fresh socket with buffers of 0, 1, 4, 8, 32, 41
 *     and 256 bytes;
 * then a few endpoint and group calls (bind, connect, unbind, disconnect,
 * join, leave) per type. It prints one line per distinct result of a
 * (option, call) pair, naming the socket types that gave it:
 *
 *   <option> <call> <types> = <result>
 *
 * <types> is "*" when all 21 types agree, else a comma-separated list.
 * A get result is "E<errno>" (plus "+w" if the buffer was written anyway,
 * "+L<n>" if the length was changed anyway) or "ok<len>:<hex>" (long values
 * as their first 8 bytes and an FNV-1a hash), followed by "/z" when the rest
 * of the buffer was zeroed, "/u" when it was left alone. ZMQ_FD's value is
 * shown as "fd", since descriptor numbers differ between libraries.
 *
 * The same source is built against the reference libzmq 4.3.5 to make
 * tests/tables/options.txt (tools/reference-tables.sh) and against ours by
 * tests/tables.rs, which compares the two cell by cell.
 *
 * It uses option numbers, not names, so one header serves both. A case
 * that crashes libzmq is not run (see skip ()).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define NTYPES 21
#define RES 512

static const char *type_names[NTYPES] = {
  "PAIR",   "PUB",    "SUB",   "REQ",   "REP",    "DEALER", "ROUTER",
  "PULL",   "PUSH",   "XPUB",  "XSUB",  "STREAM", "SERVER", "CLIENT",
  "RADIO",  "DISH",   "GATHER", "SCATTER", "DGRAM", "PEER",  "CHANNEL"};

enum
{
    T_XSUB = 10
};

static void *ctx;

/* libzmq frees a closed socket's slot on its reaper thread, so a burst of
 * create/close can briefly run out of slots: wait for one. */
static void *fresh (int type)
{
    for (int i = 0; i < 10000; i++) {
        void *s = zmq_socket (ctx, type);
        if (s)
            return s;
        if (errno != EMFILE) {
            fprintf (stderr, "zmq_socket(%d): %s\n", type,
                     zmq_strerror (errno));
            exit (1);
        }
        struct timespec ts = {0, 1000000};
        nanosleep (&ts, NULL);
    }
    fprintf (stderr, "zmq_socket(%d): no slot\n", type);
    exit (1);
}

static void close_socket (void *s)
{
    int zero = 0;
    zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close (s);
}

/* ---- values ------------------------------------------------------------ */

struct setcase
{
    const char *name;
    const void *ptr; /* NULL: the NULL pointer */
    size_t len;
};

static unsigned char pool[512]; /* zero after the bytes a case uses */
static int int_vals[5];
static int64_t i64_vals[2];
static unsigned char key32[32];
static unsigned char bytes300[300];
static char z85[41] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";

#define NSET 17
static struct setcase sets[NSET];

static void init_values (void)
{
    int_vals[0] = 0;
    int_vals[1] = 1;
    int_vals[2] = 2;
    int_vals[3] = -1;
    int_vals[4] = INT_MAX;
    i64_vals[0] = 1;
    i64_vals[1] = -1;
    for (int i = 0; i < 32; i++)
        key32[i] = (unsigned char) (i + 1);
    for (int i = 0; i < 300; i++)
        bytes300[i] = (unsigned char) ('a' + i % 26);
    pool[0] = 'A';
    int n = 0;
    sets[n++] = (struct setcase){"null", NULL, 0};
    sets[n++] = (struct setcase){"empty", pool + 256, 0};
    sets[n++] = (struct setcase){"b1", pool, 1};
    sets[n++] = (struct setcase){"i0", &int_vals[0], 4};
    sets[n++] = (struct setcase){"i1", &int_vals[1], 4};
    sets[n++] = (struct setcase){"i2", &int_vals[2], 4};
    sets[n++] = (struct setcase){"i-1", &int_vals[3], 4};
    sets[n++] = (struct setcase){"imax", &int_vals[4], 4};
    sets[n++] = (struct setcase){"l1", &i64_vals[0], 8};
    sets[n++] = (struct setcase){"l-1", &i64_vals[1], 8};
    sets[n++] = (struct setcase){"s:X-a:b", "X-a:b", 5};
    sets[n++] = (struct setcase){"s:127.0.0.1", "127.0.0.1", 9};
    sets[n++] = (struct setcase){"k32", key32, 32};
    sets[n++] = (struct setcase){"z40", z85, 40};
    sets[n++] = (struct setcase){"z41", z85, 41};
    sets[n++] = (struct setcase){"b255", bytes300, 255};
    sets[n++] = (struct setcase){"b300", bytes300, 300};
}

/* Cases libzmq 4.3.5 cannot survive: it dereferences the value of
 * ZMQ_XSUB_VERBOSE_UNSUBSCRIBE (115) on XSUB without looking at the
 * length, so a NULL value crashes it. */
static int skip (int type, int option, const struct setcase *c)
{
    return type == T_XSUB && option == 115 && c->ptr == NULL;
}

/* ---- formatting -------------------------------------------------------- */

static void append (char *out, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

#include <stdarg.h>
static void append (char *out, const char *fmt, ...)
{
    size_t used = strlen (out);
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (out + used, RES - used, fmt, ap);
    va_end (ap);
}

static void hex (char *out, const unsigned char *p, size_t n)
{
    if (n <= 16) {
        for (size_t i = 0; i < n; i++)
            append (out, "%02x", p[i]);
        return;
    }
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    for (size_t i = 0; i < 8; i++)
        append (out, "%02x", p[i]);
    append (out, "..h%08x", h);
}

#define FILL 0xAA

/* zmq_getsockopt with a buffer of `size` bytes, described into out. */
static void get_cell (void *s, int option, size_t size, char *out)
{
    unsigned char buf[300];
    memset (buf, FILL, sizeof buf);
    size_t len = size;
    errno = 0;
    int rc = zmq_getsockopt (s, option, buf, &len);
    if (rc != 0) {
        append (out, "E%d", errno);
        for (size_t i = 0; i < sizeof buf; i++)
            if (buf[i] != FILL) {
                append (out, "+w");
                break;
            }
        if (len != size)
            append (out, "+L%zu", len);
        return;
    }
    append (out, "ok%zu:", len);
    size_t shown = len < size ? len : size;
    if (option == ZMQ_FD)
        append (out, "fd");
    else
        hex (out, buf, shown);
    if (len < size) {
        int zero = 1, untouched = 1;
        for (size_t i = len; i < size; i++) {
            zero &= buf[i] == 0;
            untouched &= buf[i] == FILL;
        }
        append (out, zero ? "/z" : untouched ? "/u" : "/m");
    }
}

static const size_t get_sizes[] = {0, 1, 4, 8, 32, 41, 256};
#define NGET (sizeof get_sizes / sizeof get_sizes[0])
static const size_t back_sizes[] = {4, 8, 32, 41, 256};
#define NBACK (sizeof back_sizes / sizeof back_sizes[0])
/* ZMQ_IPV6, ZMQ_MECHANISM, ZMQ_PLAIN_SERVER, ZMQ_CURVE_SERVER. */
static const int cross[] = {42, 43, 44, 47};
#define NCROSS (sizeof cross / sizeof cross[0])

/* ---- output ------------------------------------------------------------ */

static char results[NTYPES][RES];

/* Prints the distinct results of one (option, call) pair. */
static void emit (const char *option, const char *call)
{
    int done[NTYPES] = {0};
    for (int t = 0; t < NTYPES; t++) {
        if (done[t])
            continue;
        char types[RES] = "";
        int count = 0;
        for (int u = t; u < NTYPES; u++)
            if (!done[u] && strcmp (results[t], results[u]) == 0) {
                done[u] = 1;
                append (types, "%s%s", count ? "," : "", type_names[u]);
                count++;
            }
        printf ("%s %s %s = %s\n", option, call, count == NTYPES ? "*" : types,
                results[t]);
    }
}

/* ---- options ----------------------------------------------------------- */

static void probe_option (int option)
{
    char opt[16];
    snprintf (opt, sizeof opt, "%d", option);

    for (size_t g = 0; g < NGET; g++) {
        char call[32];
        snprintf (call, sizeof call, "get:%zu", get_sizes[g]);
        for (int t = 0; t < NTYPES; t++) {
            void *s = fresh (t);
            results[t][0] = 0;
            get_cell (s, option, get_sizes[g], results[t]);
            close_socket (s);
        }
        emit (opt, call);
    }

    for (int c = 0; c < NSET; c++) {
        char call[32];
        snprintf (call, sizeof call, "set:%s", sets[c].name);
        for (int t = 0; t < NTYPES; t++) {
            char *out = results[t];
            out[0] = 0;
            if (skip (t, option, &sets[c])) {
                append (out, "skipped");
                continue;
            }
            void *s = fresh (t);
            errno = 0;
            int rc = zmq_setsockopt (s, option, sets[c].ptr, sets[c].len);
            if (rc == 0)
                append (out, "ok");
            else
                append (out, "E%d", errno);
            for (size_t b = 0; b < NBACK; b++) {
                append (out, " %zu:", back_sizes[b]);
                get_cell (s, option, back_sizes[b], out);
            }
            /* Options that others change as a side effect. */
            for (size_t x = 0; x < NCROSS; x++)
                if (cross[x] != option) {
                    append (out, " @%d:", cross[x]);
                    get_cell (s, cross[x], 4, out);
                }
            close_socket (s);
        }
        emit (opt, call);
    }
}

/* ---- endpoints and groups ---------------------------------------------- */

static const char *bind_eps[] = {
  "",
  "tcp",
  "tcp://",
  "bogus://x",
  "tcp://a;b",
  "tcp://127.0.0.1:0;127.0.0.1:0",
  "tcp://127.0.0.1:*;127.0.0.1:*",
  "tcp://127.0.0.1;127.0.0.1:0",
  "tcp://;127.0.0.1:0",
  "tcp://127.0.0.1:*",
  "tcp://127.0.0.1:0",
  "tcp://127.0.0.1:abc",
  "tcp://127.0.0.1:65536",
  "tcp://127.0.0.1",
  "tcp://[::1:5555",
  "ws://127.0.0.1:*",
  "ws://127.0.0.1:*/path",
  "ws://127.0.0.1:*/a/b",
  "ws://127.0.0.1:0;127.0.0.1:0",
  "ws://localhost:0",
  "ws://lo:0",
  "ws://[::1]:0",
  "udp://127.0.0.1:*",
  "udp://127.0.0.1:0",
  "udp://127.0.0.1",
  "inproc://",
  "inproc://probe-%d",
  "ipc://",
  "pgm://127.0.0.1;239.192.1.1:5555",
  "epgm://127.0.0.1;239.192.1.1:5555",
  "norm://127.0.0.1:5555",
  "vmci://1:5555",
  "tipc://{5560,0,0}",
};
#define NEPS (sizeof bind_eps / sizeof bind_eps[0])

static const char *connect_eps[] = {
  "",
  "tcp://",
  "tcp://a;b",
  "tcp://127.0.0.1:5555;127.0.0.1:5556",
  "tcp://127.0.0.1:;127.0.0.1:5556",
  "tcp://127.0.0.1:*",
  "tcp://127.0.0.1:0",
  "tcp://127.0.0.1:abc",
  "tcp://127.0.0.1",
  "ws://127.0.0.1:5555",
  "ws://127.0.0.1",
  "ws://127.0.0.1:*/x",
  "ws://127.0.0.1:0/a/b",
  "ws://[::1]:5555",
  "udp://127.0.0.1:5555",
  "udp://127.0.0.1:*",
  "udp://127.0.0.1",
  "inproc://",
  "inproc://probe-%d",
  "pgm://127.0.0.1;239.192.1.1:5555",
  "norm://127.0.0.1:5555",
};
#define NCEPS (sizeof connect_eps / sizeof connect_eps[0])

static void rc_cell (int rc, char *out)
{
    if (rc == 0)
        append (out, "ok");
    else
        append (out, "E%d", errno);
}

static void probe_endpoints (void)
{
    for (size_t e = 0; e < NEPS; e++) {
        char call[128];
        snprintf (call, sizeof call, "bind:%s", bind_eps[e]);
        for (int t = 0; t < NTYPES; t++) {
            char ep[128];
            snprintf (ep, sizeof ep, bind_eps[e], t);
            void *s = fresh (t);
            results[t][0] = 0;
            errno = 0;
            rc_cell (zmq_bind (s, ep), results[t]);
            close_socket (s);
        }
        emit ("-", call);
    }
    for (size_t e = 0; e < NCEPS; e++) {
        char call[128];
        snprintf (call, sizeof call, "connect:%s", connect_eps[e]);
        for (int t = 0; t < NTYPES; t++) {
            char ep[128];
            snprintf (ep, sizeof ep, connect_eps[e], t);
            void *s = fresh (t);
            results[t][0] = 0;
            errno = 0;
            rc_cell (zmq_connect (s, ep), results[t]);
            close_socket (s);
        }
        emit ("-", call);
    }
    const char *others[] = {"unbind:tcp://127.0.0.1:5555",
                            "unbind:inproc://never",
                            "unbind:bogus",
                            "disconnect:tcp://127.0.0.1:5555",
                            "disconnect:bogus"};
    for (size_t e = 0; e < sizeof others / sizeof others[0]; e++) {
        const char *ep = strchr (others[e], ':') + 1;
        int unbind = others[e][0] == 'u';
        for (int t = 0; t < NTYPES; t++) {
            void *s = fresh (t);
            results[t][0] = 0;
            errno = 0;
            rc_cell (unbind ? zmq_unbind (s, ep) : zmq_disconnect (s, ep),
                     results[t]);
            close_socket (s);
        }
        emit ("-", others[e]);
    }
#ifdef ZMQ_BUILD_DRAFT_API
    char long_group[300];
    memset (long_group, 'g', sizeof long_group - 1);
    long_group[sizeof long_group - 1] = 0;
    const char *groups[] = {"join:g", "join:long", "join:", "leave:g",
                            "joinleave:g"};
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        const char *name = strchr (groups[g], ':') + 1;
        if (strcmp (name, "long") == 0)
            name = long_group;
        for (int t = 0; t < NTYPES; t++) {
            void *s = fresh (t);
            results[t][0] = 0;
            errno = 0;
            if (groups[g][0] == 'j' && groups[g][4] == 'l') {
                rc_cell (zmq_join (s, name), results[t]);
                append (results[t], " ");
                errno = 0;
                rc_cell (zmq_leave (s, name), results[t]);
            } else if (groups[g][0] == 'j')
                rc_cell (zmq_join (s, name), results[t]);
            else
                rc_cell (zmq_leave (s, name), results[t]);
            close_socket (s);
        }
        emit ("-", groups[g]);
    }
#endif
}

int main (void)
{
    init_values ();
    ctx = zmq_ctx_new ();
    if (!ctx)
        return 1;
    printf ("# zmq_setsockopt/zmq_getsockopt on every socket type; see "
            "tests/tables/options.c\n");
    for (int option = -1; option <= 130; option++)
        probe_option (option);
    probe_option (1000);
    probe_endpoints ();
    zmq_ctx_term (ctx);
    return 0;
}
