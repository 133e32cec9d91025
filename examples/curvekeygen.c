//  CURVE key pairs, as libzmq's tools/curve_keygen makes them.
//
//    curvekeygen          prints a new public and secret key in Z85
//    curvekeygen NAME     writes them to NAME.pub and NAME.key (mode 0600),
//                         the files curveserver and curveclient read
#include <stdio.h>
#include <sys/stat.h>
#include <zmq.h>

static int write_key (const char *name, const char *suffix, const char *key, mode_t mode)
{
    char path[4096];
    snprintf (path, sizeof path, "%s.%s", name, suffix);
    mode_t old = umask (0777 & ~mode);
    FILE *file = fopen (path, "w");
    umask (old);
    if (!file || fprintf (file, "%s\n", key) < 0 || fclose (file) != 0) {
        perror (path);
        return -1;
    }
    return 0;
}

int main (int argc, char *argv[])
{
    if (!zmq_has ("curve")) {
        fprintf (stderr, "curvekeygen: this libzmq has no CURVE\n");
        return 1;
    }
    char public_key[41], secret_key[41];
    if (zmq_curve_keypair (public_key, secret_key) != 0) {
        fprintf (stderr, "curvekeygen: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }
    if (argc < 2) {
        printf ("== CURVE PUBLIC KEY ==\n%s\n== CURVE SECRET KEY ==\n%s\n", public_key, secret_key);
        return 0;
    }
    if (write_key (argv[1], "pub", public_key, 0644) || write_key (argv[1], "key", secret_key, 0600))
        return 1;
    return 0;
}
