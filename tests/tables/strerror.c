/* zmq_strerror for every errno libzmq 4.3.5 can set: 0..160 (the OS's
 * range) and libzmq's own from ZMQ_HAUSNUMERO (156384712) on, plus a few
 * outside both. One line per number:
 *
 *   <errno> = libc          the C library's strerror text
 *   <errno> "<text>"        any other text
 *
 * so the table holds what libzmq says differently from the C library
 * (EHOSTUNREACH, EFSM, ...) and stays the same on another C library.
 * Built against the reference libzmq it makes tests/tables/strerror.txt
 * (tools/reference-tables.sh); tests/tables.rs runs it against ours.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static void show (int e)
{
    char zmq[512];
    snprintf (zmq, sizeof zmq, "%s", zmq_strerror (e));
    if (strcmp (zmq, strerror (e)) == 0)
        printf ("%d = libc\n", e);
    else
        printf ("%d \"%s\"\n", e, zmq);
}

int main (void)
{
    printf ("# zmq_strerror; see tests/tables/strerror.c\n");
    show (INT_MIN);
    show (-1);
    for (int e = 0; e <= 160; e++)
        show (e);
    for (int e = ZMQ_HAUSNUMERO; e <= ZMQ_HAUSNUMERO + 100; e++)
        show (e);
    show (INT_MAX);
    return 0;
}
