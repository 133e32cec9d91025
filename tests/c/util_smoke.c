/*  C-ABI smoke test of the engine-free exports, linked against our libzmq.so.
    Prints nothing and exits 0 when every check holds. EXPECT_DRAFT is 1 when
    the library is built with the draft API (tests/c_abi.rs defines it).  */

#include <zmq.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf (stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__,        \
                     #cond);                                                   \
            failures++;                                                        \
        }                                                                      \
    } while (0)

/*  rc is -1 and errno is err, as libzmq's TEST_ASSERT_FAILURE_ERRNO.  */
#define CHECK_FAILS(err, call)                                                 \
    do {                                                                       \
        errno = 0;                                                             \
        long rc_ = (long) (call);                                              \
        CHECK (rc_ == -1);                                                     \
        CHECK (zmq_errno () == (err));                                         \
    } while (0)

static void busy_wait_us (unsigned long us)
{
    void *watch = zmq_stopwatch_start ();
    while (zmq_stopwatch_intermediate (watch) < us) {
    }
    zmq_stopwatch_stop (watch);
}

static void test_version_errors_and_capabilities (void)
{
    int major = -1, minor = -1, patch = -1;
    zmq_version (&major, &minor, &patch);
    CHECK (ZMQ_MAKE_VERSION (major, minor, patch) == ZMQ_VERSION);
    CHECK (ZMQ_VERSION == 40305);

    CHECK (strcmp (zmq_strerror (ETERM), "Context was terminated") == 0);
    CHECK (strcmp (zmq_strerror (EFSM),
                   "Operation cannot be accomplished in current state")
           == 0);
    CHECK (strcmp (zmq_strerror (EHOSTUNREACH), "Host unreachable") == 0);
    CHECK (strcmp (zmq_strerror (EINVAL), strerror (EINVAL)) == 0);

    errno = EAGAIN;
    CHECK (zmq_errno () == EAGAIN);

    CHECK (zmq_has ("draft") == EXPECT_DRAFT);
    CHECK (zmq_has ("curve") == 1);
    CHECK (zmq_has ("pgm") == 0);
    CHECK (zmq_has (NULL) == 0);
}

static void test_z85 (void)
{
    const uint8_t bytes[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char text[11];
    uint8_t back[8];

    errno = 0;
    CHECK (zmq_z85_encode (text, bytes, 8) == text);
    CHECK (strcmp (text, "HelloWorld") == 0);
    CHECK (zmq_z85_decode (back, "HelloWorld") == back);
    CHECK (memcmp (back, bytes, 8) == 0);
    CHECK (zmq_errno () == 0);

    errno = 0;
    CHECK (zmq_z85_encode (NULL, NULL, 42) == NULL);
    CHECK (zmq_errno () == EINVAL);
    const char *bad[] = {"", "0", "01234567", "#####", "%nSc1", "0000 "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        CHECK (zmq_z85_decode (back, bad[i]) == NULL);
        CHECK (zmq_errno () == EINVAL);
    }

    /*  CURVE keys: a fresh pair, whose public key zmq_curve_public
        derives again, and libzmq's test_sodium vector.  */
    char public_key[41], secret_key[41], derived[41];
    CHECK (zmq_curve_keypair (public_key, secret_key) == 0);
    CHECK (strlen (public_key) == 40 && strlen (secret_key) == 40);
    CHECK (zmq_curve_public (derived, secret_key) == 0);
    CHECK (strcmp (derived, public_key) == 0);
    CHECK (zmq_curve_public (derived, "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs")
           == 0);
    CHECK (strcmp (derived, "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID") == 0);
    char untouched[41] = {0};
    CHECK_FAILS (EINVAL, zmq_curve_public (untouched, "too short"));
    CHECK (untouched[0] == 0);
}

static void test_atomic_counter (void)
{
    void *counter = zmq_atomic_counter_new ();
    CHECK (counter != NULL);
    CHECK (zmq_atomic_counter_value (counter) == 0);
    CHECK (zmq_atomic_counter_inc (counter) == 0);
    CHECK (zmq_atomic_counter_inc (counter) == 1);
    CHECK (zmq_atomic_counter_dec (counter) == 1);
    CHECK (zmq_atomic_counter_dec (counter) == 0);
    zmq_atomic_counter_set (counter, 2);
    CHECK (zmq_atomic_counter_value (counter) == 2);
    zmq_atomic_counter_destroy (&counter);
    CHECK (counter == NULL);
}

struct cancel_self
{
    void *timers;
    int fired;
};

static void cancel_self_handler (int timer_id, void *arg)
{
    struct cancel_self *state = (struct cancel_self *) arg;
    state->fired++;
    CHECK (zmq_timers_cancel (state->timers, timer_id) == 0);
}

static void count_handler (int timer_id, void *arg)
{
    (void) timer_id;
    (*(int *) arg)++;
}

static void test_timers (void)
{
    void *null_timers = NULL;
    CHECK_FAILS (EFAULT, zmq_timers_destroy (&null_timers));
    CHECK_FAILS (EFAULT, zmq_timers_add (NULL, 10, count_handler, NULL));
    CHECK_FAILS (EFAULT,
                 zmq_timers_add (&null_timers, 10, count_handler, NULL));
    CHECK_FAILS (EFAULT, zmq_timers_timeout (NULL));
    CHECK_FAILS (EFAULT, zmq_timers_execute (&null_timers));

    void *timers = zmq_timers_new ();
    CHECK (timers != NULL);
    CHECK_FAILS (EINVAL, zmq_timers_timeout (timers));
    CHECK_FAILS (EFAULT, zmq_timers_add (timers, 10, NULL, NULL));
    CHECK_FAILS (EINVAL, zmq_timers_cancel (timers, 1));
    CHECK_FAILS (EINVAL, zmq_timers_set_interval (timers, 1, 10));
    CHECK_FAILS (EINVAL, zmq_timers_reset (timers, 1));

    struct cancel_self state = {timers, 0};
    int count = 0;
    int once = zmq_timers_add (timers, 5, cancel_self_handler, &state);
    int repeating = zmq_timers_add (timers, 5, count_handler, &count);
    CHECK (once == 1 && repeating == 2);
    long timeout = zmq_timers_timeout (timers);
    CHECK (timeout >= 0 && timeout <= 5);

    busy_wait_us (8000);
    CHECK (zmq_timers_execute (timers) == 0);
    CHECK (state.fired == 1 && count == 1);
    busy_wait_us (8000);
    CHECK (zmq_timers_execute (timers) == 0);
    CHECK (state.fired == 1 && count == 2);

    CHECK (zmq_timers_cancel (timers, repeating) == 0);
    CHECK_FAILS (EINVAL, zmq_timers_cancel (timers, repeating));
    CHECK_FAILS (EINVAL, zmq_timers_timeout (timers));

    CHECK (zmq_timers_destroy (&timers) == 0);
    CHECK (timers == NULL);
    CHECK_FAILS (EFAULT, zmq_timers_destroy (&timers));
}

static void thread_body (void *arg)
{
    zmq_atomic_counter_inc (arg);
}

static void test_stopwatch_and_threads (void)
{
    void *watch = zmq_stopwatch_start ();
    busy_wait_us (2000);
    unsigned long mid = zmq_stopwatch_intermediate (watch);
    CHECK (mid >= 2000);
    CHECK (zmq_stopwatch_stop (watch) >= mid);

    void *counter = zmq_atomic_counter_new ();
    void *thread = zmq_threadstart (thread_body, counter);
    CHECK (thread != NULL);
    zmq_threadclose (thread);
    CHECK (zmq_atomic_counter_value (counter) == 1);
    zmq_atomic_counter_destroy (&counter);
}

int main (void)
{
    test_version_errors_and_capabilities ();
    test_z85 ();
    test_atomic_counter ();
    test_timers ();
    test_stopwatch_and_threads ();
    return failures == 0 ? 0 : 1;
}
