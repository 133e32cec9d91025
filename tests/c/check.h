/* Minimal assertion helpers for the C-ABI tests: a failed check prints
 * where and why, and exits non-zero. */
#ifndef CHECK_H
#define CHECK_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf (stderr, "%s:%d: check failed: %s (errno %d: %s)\n",       \
                     __FILE__, __LINE__, #cond, errno, strerror (errno));      \
            exit (1);                                                          \
        }                                                                      \
    } while (0)

#define CHECK_ERR(call, err)                                                   \
    do {                                                                       \
        errno = 0;                                                             \
        int rc_ = (int) (call);                                                \
        if (rc_ != -1 || errno != (err)) {                                     \
            fprintf (stderr, "%s:%d: %s returned %d errno %d, want -1/%s\n",   \
                     __FILE__, __LINE__, #call, rc_, errno, #err);             \
            exit (1);                                                          \
        }                                                                      \
    } while (0)
#endif
