//  CURVE-secured hello world client: a REQ socket that is a CURVE client of
//  the server whose public key it is given.
//
//    curveclient ENDPOINT COUNT SERVER.pub [CLIENT]
//
//  CLIENT names the key pair CLIENT.pub/CLIENT.key (curvekeygen CLIENT);
//  without it the client makes a fresh one, which a server that checks keys
//  refuses. Exits 1 if no reply comes within 3 seconds.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static int read_key (const char *path, char key[41])
{
    FILE *file = fopen (path, "r");
    if (!file) {
        perror (path);
        return -1;
    }
    int ok = fscanf (file, "%40s", key) == 1 && strlen (key) == 40;
    fclose (file);
    if (!ok)
        fprintf (stderr, "%s: no Z85 key\n", path);
    return ok ? 0 : -1;
}

int main (int argc, char *argv[])
{
    if (argc < 4) {
        fprintf (stderr, "usage: curveclient ENDPOINT COUNT SERVER.pub [CLIENT]\n");
        return 2;
    }
    long count = atol (argv[2]);
    char server_public[41], client_public[41], client_secret[41];
    if (read_key (argv[3], server_public))
        return 1;
    if (argc > 4) {
        char path[4096];
        snprintf (path, sizeof path, "%s.pub", argv[4]);
        if (read_key (path, client_public))
            return 1;
        snprintf (path, sizeof path, "%s.key", argv[4]);
        if (read_key (path, client_secret))
            return 1;
    } else
        zmq_curve_keypair (client_public, client_secret);

    void *context = zmq_ctx_new ();
    void *client = zmq_socket (context, ZMQ_REQ);
    zmq_setsockopt (client, ZMQ_CURVE_SERVERKEY, server_public, 40);
    zmq_setsockopt (client, ZMQ_CURVE_PUBLICKEY, client_public, 40);
    zmq_setsockopt (client, ZMQ_CURVE_SECRETKEY, client_secret, 40);
    int timeout = 3000, linger = 0;
    zmq_setsockopt (client, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    /* A refused client's request is never sent: don't wait for it at exit. */
    zmq_setsockopt (client, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect (client, argv[1]);

    int status = 0;
    for (long n = 0; n < count; n++) {
        zmq_send (client, "Hello", 5, 0);
        char reply[16];
        int size = zmq_recv (client, reply, sizeof reply, 0);
        if (size < 0) {
            printf ("No reply within 3 s: refused, or the wrong server key\n");
            status = 1;
            break;
        }
        printf ("Received %.*s %ld (encrypted on the wire)\n", size, reply, n);
    }
    zmq_close (client);
    zmq_ctx_term (context);
    return status;
}
