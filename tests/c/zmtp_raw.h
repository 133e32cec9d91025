/* Bytes of a raw ZMTP 3.0 peer, for the test programs that play one
 * (tests/faults, tests/load): the NULL greeting and a READY command. */
#ifndef ZMTP_RAW_H
#define ZMTP_RAW_H
#include <stddef.h>
#include <string.h>

/* The ZMTP 3.0 NULL greeting (64 bytes, as-server 0). */
__attribute__ ((unused)) static void zmtp_greeting (unsigned char g[64])
{
    memset (g, 0, 64);
    g[0] = 0xff;
    g[9] = 0x7f;
    g[10] = 3;
    g[11] = 0;
    memcpy (g + 12, "NULL", 4);
}

/* A READY command announcing socket type `type` ("DEALER", "PULL", ...)
 * into `buf` (at least 24 bytes more than the type's length); returns its
 * length. */
__attribute__ ((unused)) static size_t zmtp_ready (unsigned char *buf, const char *type)
{
    size_t tl = strlen (type);
    size_t body = 6 + 1 + 11 + 4 + tl;
    buf[0] = 0x04;
    buf[1] = (unsigned char) body;
    memcpy (buf + 2, "\x05READY", 6);
    buf[8] = 11;
    memcpy (buf + 9, "Socket-Type", 11);
    buf[20] = 0;
    buf[21] = 0;
    buf[22] = 0;
    buf[23] = (unsigned char) tl;
    memcpy (buf + 24, type, tl);
    return 2 + body;
}
#endif
