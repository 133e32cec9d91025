//  CURVE-secured hello world server: a REP socket that is a CURVE server,
//  so every frame on its connections is encrypted, and, given a client's
//  public key, a ZAP handler that lets that client in and no other.
//
//    curveserver ENDPOINT COUNT SERVER.key [CLIENT.pub]
//
//  Keys are Z85 text files, as curvekeygen NAME writes them. Answers COUNT
//  requests, naming the User-Id the ZAP handler gave the client, then exits.
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

/* The ZAP handler (RFC 27): libzmq asks it, over inproc://zeromq.zap.01,
 * about every client that completes the CURVE handshake. */
struct zap {
    void *socket;
    uint8_t allowed[32];
};

static void zap_handler (void *arg)
{
    struct zap *zap = arg;
    while (1) {
        /* version, request id, domain, address, identity, mechanism, key */
        char frame[8][256];
        int size[8], n = 0, more = 1;
        while (more) {
            int rc = zmq_recv (zap->socket, frame[n < 7 ? n : 7], 255, 0);
            if (rc < 0)
                goto done; /* ETERM: the context is closing */
            size[n < 7 ? n : 7] = rc;
            n++;
            size_t more_size = sizeof more;
            zmq_getsockopt (zap->socket, ZMQ_RCVMORE, &more, &more_size);
        }
        int allowed = n == 7 && size[5] == 5 && memcmp (frame[5], "CURVE", 5) == 0 && size[6] == 32
                      && memcmp (frame[6], zap->allowed, 32) == 0;
        zmq_send (zap->socket, "1.0", 3, ZMQ_SNDMORE);
        zmq_send (zap->socket, frame[1], size[1], ZMQ_SNDMORE);
        zmq_send (zap->socket, allowed ? "200" : "400", 3, ZMQ_SNDMORE);
        zmq_send (zap->socket, allowed ? "OK" : "Unknown key", allowed ? 2 : 11, ZMQ_SNDMORE);
        zmq_send (zap->socket, allowed ? "trusted-client" : "", allowed ? 14 : 0, ZMQ_SNDMORE);
        zmq_send (zap->socket, "", 0, 0);
        printf ("ZAP: %s a CURVE client\n", allowed ? "allowed" : "refused");
        fflush (stdout);
    }
done:
    zmq_close (zap->socket);
}

int main (int argc, char *argv[])
{
    if (argc < 4) {
        fprintf (stderr, "usage: curveserver ENDPOINT COUNT SERVER.key [CLIENT.pub]\n");
        return 2;
    }
    long count = atol (argv[2]);
    char server_secret[41], client_public[41];
    if (read_key (argv[3], server_secret) || (argc > 4 && read_key (argv[4], client_public)))
        return 1;

    void *context = zmq_ctx_new ();
    struct zap zap;
    void *zap_thread = NULL;
    if (argc > 4) {
        /* Bound before the server socket exists, so no client slips in
         * unchecked; the thread then owns the socket. */
        zap.socket = zmq_socket (context, ZMQ_REP);
        zmq_bind (zap.socket, "inproc://zeromq.zap.01");
        zmq_z85_decode (zap.allowed, client_public);
        zap_thread = zmq_threadstart (zap_handler, &zap);
    }

    void *server = zmq_socket (context, ZMQ_REP);
    int as_server = 1;
    zmq_setsockopt (server, ZMQ_CURVE_SERVER, &as_server, sizeof as_server);
    zmq_setsockopt (server, ZMQ_CURVE_SECRETKEY, server_secret, 40);
    if (zmq_bind (server, argv[1]) != 0) {
        fprintf (stderr, "curveserver: bind %s: %s\n", argv[1], zmq_strerror (zmq_errno ()));
        return 1;
    }
    printf ("CURVE server on %s%s\n", argv[1], zap_thread ? ", one client key allowed" : "");
    fflush (stdout);

    for (long n = 0; n < count; n++) {
        zmq_msg_t request;
        zmq_msg_init (&request);
        if (zmq_msg_recv (&request, server, 0) < 0)
            return 1;
        /* What the ZAP handler said about this client travels with its messages. */
        const char *user = zmq_msg_gets (&request, "User-Id");
        printf ("Received %.*s from %s\n", (int) zmq_msg_size (&request), (char *) zmq_msg_data (&request),
                user && *user ? user : "(no ZAP handler)");
        zmq_msg_close (&request);
        zmq_send (server, "World", 5, 0);
    }

    zmq_close (server);
    /* Ending the context wakes the ZAP handler with ETERM; it closes its
     * socket, which lets zmq_ctx_term return. */
    zmq_ctx_term (context);
    if (zap_thread)
        zmq_threadclose (zap_thread);
    return 0;
}
