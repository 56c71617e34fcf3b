/* clock_res_get / clock_time_get for all four clocks. */
#include "common.h"

int main(void) {
    setup();
    __wasi_timestamp_t res, t;
    EXPECT_OK("res_realtime", __wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &res));
    CHECK("res_realtime_positive", res > 0 && res <= 1000000000ull, "res %llu", (unsigned long long)res);
    EXPECT_OK("res_monotonic", __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res));
    CHECK("res_monotonic_positive", res > 0 && res <= 1000000000ull, "res %llu", (unsigned long long)res);
    EXPECT_OK("res_process_cputime", __wasi_clock_res_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, &res));
    EXPECT_OK("res_thread_cputime", __wasi_clock_res_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, &res));

    EXPECT_OK("time_realtime", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t));
    /* After 2020-01-01 and before 2100. */
    CHECK("realtime_plausible", t > 1577836800ull * 1000000000ull && t < 4102444800ull * 1000000000ull,
          "realtime %llu", (unsigned long long)t);
    /* Invalid clock ids are checked by wat/bad_enums.wat. */

    __wasi_timestamp_t prev = now_ns(__WASI_CLOCKID_MONOTONIC), first = prev;
    int mono_ok = 1;
    for (int i = 0; i < 20000; i++) {
        __wasi_timestamp_t n = now_ns(__WASI_CLOCKID_MONOTONIC);
        if (n < prev) mono_ok = 0;
        prev = n;
    }
    CHECK("monotonic_non_decreasing", mono_ok, "monotonic clock went backwards");
    CHECK("monotonic_advances", prev > first, "monotonic clock did not advance over 20000 calls");

    /* Spin ~30 ms of wall time: process and thread CPU time must advance. */
    __wasi_timestamp_t cpu0, thr0, cpu1, thr1;
    EXPECT_OK("time_process_cputime", __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &cpu0));
    EXPECT_OK("time_thread_cputime", __wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 1, &thr0));
    __wasi_timestamp_t start = now_ns(__WASI_CLOCKID_MONOTONIC);
    volatile unsigned sink = 0;
    while (now_ns(__WASI_CLOCKID_MONOTONIC) - start < 30000000ull)
        for (int i = 0; i < 1000; i++) sink += i;
    if (__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &cpu1)) cpu1 = 0;
    if (__wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 1, &thr1)) thr1 = 0;
    CHECK("process_cputime_advances_while_spinning", cpu1 > cpu0, "process cputime %llu -> %llu",
          (unsigned long long)cpu0, (unsigned long long)cpu1);
    CHECK("thread_cputime_advances_while_spinning", thr1 > thr0, "thread cputime %llu -> %llu",
          (unsigned long long)thr0, (unsigned long long)thr1);
    return finish();
}
