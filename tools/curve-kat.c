/* The libsodium side of the CURVE known-answer tests in
   src/zmtp/mechanism/curve/tests.rs: cc tools/curve-kat.c -lsodium && ./a.out */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
static void hex(const char *name, const unsigned char *p, size_t n) {
    printf("%s: ", name);
    for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
    printf("\n");
}
int main(void) {
    if (sodium_init() < 0) return 1;
    unsigned char ska[32], skb[32], pka[32], pkb[32];
    for (int i = 0; i < 32; i++) { ska[i] = (unsigned char)(i + 1); skb[i] = (unsigned char)(0xa0 + i); }
    crypto_scalarmult_base(pka, ska);
    crypto_scalarmult_base(pkb, skb);
    hex("pka", pka, 32);
    hex("pkb", pkb, 32);
    /* A CURVE MESSAGE from the client (a) to the server (b): nonce 3,
       flags byte 1 (MORE) then "hello". */
    unsigned char nonce[24];
    memcpy(nonce, "CurveZMQMESSAGEC", 16);
    memset(nonce + 16, 0, 8); nonce[23] = 3;
    unsigned char plain[6] = {1, 'h', 'e', 'l', 'l', 'o'};
    unsigned char out[16 + 6];
    unsigned char k[32];
    if (crypto_box_beforenm(k, pkb, ska) != 0) return 2;
    crypto_box_easy_afternm(out, plain, 6, nonce, k);
    hex("message_box", out, sizeof out);
    /* crypto_box (not precomputed) of 64 zeros, HELLO nonce 1. */
    unsigned char hn[24]; memcpy(hn, "CurveZMQHELLO---", 16); memset(hn + 16, 0, 8); hn[23] = 1;
    unsigned char zeros[64] = {0}, hb[80];
    if (crypto_box_easy(hb, zeros, 64, hn, pkb, ska) != 0) return 3;
    hex("hello_box", hb, 80);
    /* crypto_secretbox with key 0x42.. and nonce COOKIE-- + 16 x 0x07 */
    unsigned char key[32]; memset(key, 0x42, 32);
    unsigned char cn[24]; memcpy(cn, "COOKIE--", 8); memset(cn + 8, 7, 16);
    unsigned char cp[64]; for (int i = 0; i < 64; i++) cp[i] = (unsigned char)i;
    unsigned char cb[80];
    crypto_secretbox_easy(cb, cp, 64, cn, key);
    hex("cookie_box", cb, 80);
    /* small-order points: crypto_box_beforenm must fail */
    static const unsigned char so[][32] = {
        {0},
        {1},
        {0xe0,0xeb,0x7a,0x7c,0x3b,0x41,0xb8,0xae,0x16,0x56,0xe3,0xfa,0xf1,0x9f,0xc4,0x6a,0xda,0x09,0x8d,0xeb,0x9c,0x32,0xb1,0xfd,0x86,0x62,0x05,0x16,0x5f,0x49,0xb8,0x00},
        {0x5f,0x9c,0x95,0xbc,0xa3,0x50,0x8c,0x24,0xb1,0xd0,0xb1,0x55,0x9c,0x83,0xef,0x5b,0x04,0x44,0x5c,0xc4,0x58,0x1c,0x8e,0x86,0xd8,0x22,0x4e,0xdd,0xd0,0x9f,0x11,0x57},
    };
    for (int i = 0; i < 4; i++) {
        unsigned char t[32];
        printf("small_order_%d_rc: %d\n", i, crypto_box_beforenm(t, so[i], ska));
        unsigned char s2[32]; memcpy(s2, so[i], 32); s2[31] |= 0x80;
        printf("small_order_%d_high_rc: %d\n", i, crypto_box_beforenm(t, s2, ska));
    }
    for (int j = 0; j < 3; j++) {
        unsigned char p[32]; memset(p, 0xff, 32); p[0] = 0xec + j; p[31] = 0x7f;
        unsigned char t[32];
        printf("p_plus_%d_rc: %d\n", j - 1, crypto_box_beforenm(t, p, ska));
        p[31] = 0xff;
        printf("p_plus_%d_high_rc: %d\n", j - 1, crypto_box_beforenm(t, p, ska));
    }
    unsigned char t[32];
    printf("pkb_rc: %d\n", crypto_box_beforenm(t, pkb, ska));
    printf("sodium: %s\n", sodium_version_string());
    return 0;
}
