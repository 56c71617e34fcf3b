/* random_get */
#include "common.h"

int main(void) {
    setup();
    uint8_t a[64], b[64], zero[64] = {0};
    EXPECT_OK("random_zero_len", __wasi_random_get(a, 0));
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    EXPECT_OK("random_64", __wasi_random_get(a, sizeof a));
    EXPECT_OK("random_64_again", __wasi_random_get(b, sizeof b));
    CHECK("random_not_zero", memcmp(a, zero, sizeof a) != 0, "64 zero bytes");
    CHECK("random_calls_differ", memcmp(a, b, sizeof a) != 0, "two calls returned the same bytes");
    static uint8_t big[1 << 20];
    EXPECT_OK("random_1mib", __wasi_random_get(big, sizeof big));
    /* Crude sanity: every byte value shows up in 1 MiB of random data. */
    int seen[256] = {0}, distinct = 0;
    for (size_t i = 0; i < sizeof big; i++) seen[big[i]] = 1;
    for (int i = 0; i < 256; i++) distinct += seen[i];
    CHECK("random_1mib_all_byte_values", distinct == 256, "only %d distinct byte values", distinct);
    /* Only the requested range is written. */
    uint8_t g[32];
    memset(g, 0x5A, sizeof g);
    EXPECT_OK("random_middle", __wasi_random_get(g + 8, 16));
    int guard = 1;
    for (int i = 0; i < 8; i++) guard &= g[i] == 0x5A && g[24 + i] == 0x5A;
    CHECK("random_no_overrun", guard, "bytes outside the range were written");
    return finish();
}
