/* poll_oneoff: relative and absolute clock timeouts, files ready at once. */
#include "common.h"
#include <time.h>

static __wasi_subscription_t clock_sub(uint64_t ud, __wasi_clockid_t id, uint64_t timeout, int abstime) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.precision = 0;
    s.u.u.clock.flags = abstime ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
    return s;
}

static __wasi_subscription_t fd_sub(uint64_t ud, __wasi_eventtype_t type, __wasi_fd_t fd) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = type;
    if (type == __WASI_EVENTTYPE_FD_READ) s.u.u.fd_read.file_descriptor = fd;
    else s.u.u.fd_write.file_descriptor = fd;
    return s;
}

int main(void) {
    setup();
    __wasi_event_t ev[4];
    __wasi_size_t n = 0;
    /* Relative 50 ms timeout on the monotonic clock. */
    __wasi_subscription_t s = clock_sub(0x1234, __WASI_CLOCKID_MONOTONIC, 50000000ull, 0);
    uint64_t t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
    EXPECT_OK("relative_timeout", __wasi_poll_oneoff(&s, ev, 1, &n));
    uint64_t t1 = now_ns(__WASI_CLOCKID_MONOTONIC);
    CHECK_EQ_U64("relative_one_event", n, 1);
    CHECK("relative_event_fields", ev[0].userdata == 0x1234 && ev[0].type == __WASI_EVENTTYPE_CLOCK &&
                                       ev[0].error == 0,
          "userdata %llx type %d error %d", (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error);
    CHECK("relative_waited", t1 - t0 >= 50000000ull, "returned after %llu ns", (unsigned long long)(t1 - t0));
    CHECK("relative_not_too_long", t1 - t0 < 5000000000ull, "took %llu ns", (unsigned long long)(t1 - t0));

    /* Absolute deadline 40 ms ahead on the monotonic clock. */
    t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
    s = clock_sub(7, __WASI_CLOCKID_MONOTONIC, t0 + 40000000ull, 1);
    EXPECT_OK("absolute_timeout", __wasi_poll_oneoff(&s, ev, 1, &n));
    t1 = now_ns(__WASI_CLOCKID_MONOTONIC);
    CHECK("absolute_waited_until_deadline", t1 >= t0 + 40000000ull, "returned %llu ns early",
          (unsigned long long)(t0 + 40000000ull - t1));
    CHECK("absolute_not_too_long", t1 - t0 < 5000000000ull, "took %llu ns", (unsigned long long)(t1 - t0));
    /* An absolute deadline in the past fires immediately. */
    s = clock_sub(8, __WASI_CLOCKID_MONOTONIC, 1, 1);
    t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
    EXPECT_OK("absolute_past", __wasi_poll_oneoff(&s, ev, 1, &n));
    CHECK("absolute_past_immediate", now_ns(__WASI_CLOCKID_MONOTONIC) - t0 < 1000000000ull, "blocked");
    /* Realtime absolute. */
    uint64_t r0 = now_ns(__WASI_CLOCKID_REALTIME);
    s = clock_sub(9, __WASI_CLOCKID_REALTIME, r0 + 20000000ull, 1);
    EXPECT_OK("absolute_realtime", __wasi_poll_oneoff(&s, ev, 1, &n));
    CHECK("absolute_realtime_waited", now_ns(__WASI_CLOCKID_REALTIME) >= r0 + 20000000ull, "returned early");
    /* Zero relative timeout. */
    s = clock_sub(10, __WASI_CLOCKID_MONOTONIC, 0, 0);
    EXPECT_OK("zero_timeout", __wasi_poll_oneoff(&s, ev, 1, &n));
    CHECK_EQ_U64("zero_timeout_event", n, 1);

    /* Regular files are always ready, and a long timeout does not delay that. */
    __wasi_fd_t fd = xopen(ROOT, "hello.txt", 0, 0);
    __wasi_subscription_t subs[3] = {fd_sub(1, __WASI_EVENTTYPE_FD_READ, fd), fd_sub(2, __WASI_EVENTTYPE_FD_WRITE, fd),
                                     clock_sub(3, __WASI_CLOCKID_MONOTONIC, 10000000000ull, 0)};
    t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
    EXPECT_OK("file_poll", __wasi_poll_oneoff(subs, ev, 3, &n));
    t1 = now_ns(__WASI_CLOCKID_MONOTONIC);
    CHECK("file_poll_no_block", t1 - t0 < 2000000000ull, "blocked %llu ns", (unsigned long long)(t1 - t0));
    int rd = 0, wr = 0, clk = 0;
    for (__wasi_size_t i = 0; i < n; i++) {
        if (ev[i].userdata == 1 && ev[i].type == __WASI_EVENTTYPE_FD_READ && ev[i].error == 0) rd = 1;
        if (ev[i].userdata == 2 && ev[i].type == __WASI_EVENTTYPE_FD_WRITE && ev[i].error == 0) wr = 1;
        if (ev[i].userdata == 3) clk = 1;
    }
    CHECK("file_ready_for_read", rd, "%u events, no fd_read event", n);
    CHECK("file_ready_for_write", wr, "%u events, no fd_write event", n);
    CHECK("file_poll_clock_not_fired", !clk, "10 s clock reported as fired");
    /* stdout is ready for writing. */
    subs[0] = fd_sub(11, __WASI_EVENTTYPE_FD_WRITE, 1);
    EXPECT_OK("stdout_poll", __wasi_poll_oneoff(subs, ev, 1, &n));
    CHECK("stdout_ready", n == 1 && ev[0].userdata == 11 && ev[0].error == 0, "n=%u", n);
    xclose(fd);
    /* A closed fd: the event carries EBADF. */
    subs[0] = fd_sub(12, __WASI_EVENTTYPE_FD_READ, fd);
    /* The spec leaves open whether this fails the call or the event; either
     * way EBADF must be reported and nothing may block. */
    n = 0;
    int be = __wasi_poll_oneoff(subs, ev, 1, &n);
    CHECK("badf_reported", be == __WASI_ERRNO_BADF || (be == 0 && n == 1 && ev[0].userdata == 12 &&
                                                        ev[0].error == __WASI_ERRNO_BADF),
          "poll errno %d, n=%u, event error %d", be, n, n ? ev[0].error : -1);
    /* No subscriptions -> EINVAL. */
    EXPECT_ERRNO("zero_subscriptions_einval", __wasi_poll_oneoff(subs, ev, 0, &n), __WASI_ERRNO_INVAL);
    /* libc sleep helpers are built on poll_oneoff. */
    t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
    struct timespec ts = {0, 30000000};
    CHECK("nanosleep_ok", nanosleep(&ts, NULL) == 0, "nanosleep failed");
    CHECK("nanosleep_waited", now_ns(__WASI_CLOCKID_MONOTONIC) - t0 >= 30000000ull, "slept too little");
    return finish();
}
