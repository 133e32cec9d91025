//  Weather update client: a SUB socket that subscribes to one zip code and
//  averages the temperatures of the updates it gets.
//
//    wuclient [ENDPOINT [ZIPCODE [COUNT]]]   default tcp://localhost:5556, 10001, 100
//
//  The subscription is a prefix filter ("10001 "): the publisher's side drops
//  every other update, so each one received must carry our zip code.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int main (int argc, char *argv[])
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://localhost:5556";
    const char *zipcode = argc > 2 ? argv[2] : "10001";
    long count = argc > 3 ? atol (argv[3]) : 100;

    void *context = zmq_ctx_new ();
    void *subscriber = zmq_socket (context, ZMQ_SUB);
    zmq_connect (subscriber, endpoint);

    char filter[16];
    snprintf (filter, sizeof filter, "%s ", zipcode);
    zmq_setsockopt (subscriber, ZMQ_SUBSCRIBE, filter, strlen (filter));
    printf ("Collecting updates from weather server at %s for zip code %s\n", endpoint, zipcode);

    long total_temp = 0;
    for (long n = 0; n < count; n++) {
        char update[32];
        int size = zmq_recv (subscriber, update, sizeof update - 1, 0);
        if (size < 0)
            return 1;
        update[size < (int) sizeof update - 1 ? size : (int) sizeof update - 1] = 0;
        if (strncmp (update, filter, strlen (filter)) != 0) {
            fprintf (stderr, "wuclient: got '%s', which the filter should have dropped\n", update);
            return 1;
        }
        int zip, temperature, relhumidity;
        sscanf (update, "%d %d %d", &zip, &temperature, &relhumidity);
        total_temp += temperature;
    }
    printf ("Average temperature for zipcode '%s' was %dF\n", zipcode, (int) (total_temp / count));
    zmq_close (subscriber);
    zmq_ctx_term (context);
    return 0;
}
