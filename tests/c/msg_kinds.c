/* Message kinds through the C ABI: inline, long, user buffers with a free
 * function (called once, on the thread that drops the last copy, and able
 * to call back into the library), constants, copy sharing, move, close. */
#include "check.h"
#include <pthread.h>
#include <zmq.h>

static int freed;
static pthread_t freed_on;

static void free_fn (void *data, void *hint)
{
    CHECK (data == hint);
    freed++;
    freed_on = pthread_self ();
    /* A free function may call into the library, as pyzmq's does. */
    zmq_msg_t m;
    CHECK (zmq_msg_init_size (&m, 100) == 0);
    CHECK (zmq_msg_close (&m) == 0);
    free (data);
}

static void *drop_msg (void *arg)
{
    CHECK (zmq_msg_close ((zmq_msg_t *) arg) == 0);
    return NULL;
}

int main (void)
{
    zmq_msg_t a, b;
    CHECK (sizeof (zmq_msg_t) == 64);

    CHECK (zmq_msg_init_size (&a, 33) == 0);
    CHECK (zmq_msg_size (&a) == 33);
    memset (zmq_msg_data (&a), 'x', 33);
    CHECK (zmq_msg_init (&b) == 0);
    CHECK (zmq_msg_copy (&b, &a) == 0);
    CHECK (memcmp (zmq_msg_data (&b), zmq_msg_data (&a), 33) == 0);
    CHECK (zmq_msg_close (&a) == 0 && zmq_msg_close (&b) == 0);

    /* Long messages are shared by copy, not duplicated. */
    CHECK (zmq_msg_init_size (&a, 1000) == 0);
    CHECK (zmq_msg_get (&a, ZMQ_SHARED) == 0);
    CHECK (zmq_msg_init (&b) == 0);
    CHECK (zmq_msg_copy (&b, &a) == 0);
    CHECK (zmq_msg_data (&b) == zmq_msg_data (&a));
    CHECK (zmq_msg_get (&a, ZMQ_SHARED) == 1);
    CHECK (zmq_msg_get (&b, ZMQ_SHARED) == 1);
    CHECK (zmq_msg_close (&a) == 0 && zmq_msg_close (&b) == 0);

    /* The free function runs once, on the thread dropping the last copy. */
    char *buf = malloc (5000);
    CHECK (zmq_msg_init_data (&a, buf, 5000, free_fn, buf) == 0);
    CHECK (zmq_msg_init (&b) == 0);
    CHECK (zmq_msg_copy (&b, &a) == 0);
    CHECK (zmq_msg_close (&a) == 0);
    CHECK (freed == 0);
    pthread_t t;
    CHECK (pthread_create (&t, NULL, drop_msg, &b) == 0);
    CHECK (pthread_join (t, NULL) == 0);
    CHECK (freed == 1);
    CHECK (pthread_equal (freed_on, t));

    /* No free function: a constant message, reported as shared. */
    static char constant[] = "constant";
    CHECK (zmq_msg_init_data (&a, constant, 8, NULL, NULL) == 0);
    CHECK (zmq_msg_data (&a) == constant);
    CHECK (zmq_msg_get (&a, ZMQ_SHARED) == 1);

    /* Move empties the source. */
    CHECK (zmq_msg_init (&b) == 0);
    CHECK (zmq_msg_move (&b, &a) == 0);
    CHECK (zmq_msg_size (&a) == 0 && zmq_msg_size (&b) == 8);
    CHECK (zmq_msg_close (&a) == 0 && zmq_msg_close (&b) == 0);

    /* zmq_msg_t is relocatable: memcpy is a valid move. */
    zmq_msg_t moved;
    CHECK (zmq_msg_init_buffer (&a, "relocate me, please, I am long enough", 37) == 0);
    memcpy (&moved, &a, sizeof a);
    CHECK (memcmp (zmq_msg_data (&moved), "relocate", 8) == 0);
    CHECK (zmq_msg_close (&moved) == 0);

    /* Closed messages are invalid; unknown properties are EINVAL. */
    CHECK_ERR (zmq_msg_close (&moved), EFAULT);
    CHECK (zmq_msg_init (&a) == 0);
    CHECK_ERR (zmq_msg_get (&a, 12345), EINVAL);
    CHECK_ERR (zmq_msg_set (&a, ZMQ_MORE, 1), EINVAL);
    CHECK (zmq_msg_more (&a) == 0);
    CHECK_ERR (zmq_msg_set_routing_id (&a, 0), EINVAL);
    CHECK (zmq_msg_set_routing_id (&a, 7) == 0);
    CHECK (zmq_msg_routing_id (&a) == 7);
    CHECK (zmq_msg_set_group (&a, "a-group") == 0);
    CHECK (strcmp (zmq_msg_group (&a), "a-group") == 0);
    CHECK (zmq_msg_gets (&a, "Socket-Type") == NULL && errno == EINVAL);
    CHECK (zmq_msg_close (&a) == 0);
    printf ("ok\n");
    return 0;
}
