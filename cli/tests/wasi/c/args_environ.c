/* args_sizes_get / args_get / environ_sizes_get / environ_get round trip.
 * The harness passes exactly these arguments and environment (see
 * args_environ_spec() in tests/support/wasi_programs.rs). */
#include "common.h"

static const char *want_args[] = {"args_environ.wasm", "plain", "with space", "quo\"te's",
                                  "new\nline", "eq=sign=2", "", "\xc3\xbcn\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9"};
static const char *want_env[] = {"A=1", "EQ=a=b=c", "SPACE=has space", "NL=line1\nline2",
                                 "QUOTE=\"q' \\", "EMPTY="};
#define NARGS (sizeof want_args / sizeof *want_args)
#define NENV (sizeof want_env / sizeof *want_env)

static void check_vector(const char *what, int is_env, const char **want, size_t nwant) {
    __wasi_size_t count = 0, size = 0;
    int e = is_env ? __wasi_environ_sizes_get(&count, &size) : __wasi_args_sizes_get(&count, &size);
    char name[64];
    snprintf(name, sizeof name, "%s_sizes_get", what);
    EXPECT_ERRNO(is_env ? "environ_sizes_get" : "args_sizes_get", e, 0);
    size_t want_size = 0;
    for (size_t i = 0; i < nwant; i++) want_size += strlen(want[i]) + 1;
    if (is_env) {
        CHECK_EQ_U64("environ_count_exact", count, nwant);
        CHECK_EQ_U64("environ_buf_size", size, want_size);
    } else {
        CHECK_EQ_U64("args_count", count, nwant);
        CHECK_EQ_U64("args_buf_size", size, want_size);
    }
    uint8_t **ptrs = calloc(count + 1, sizeof *ptrs);
    /* Guard bytes around the buffer: the runtime must write exactly `size` bytes. */
    uint8_t *buf = malloc(size + 16);
    memset(buf, 0xAA, size + 16);
    e = is_env ? __wasi_environ_get(ptrs, buf + 8) : __wasi_args_get(ptrs, buf + 8);
    EXPECT_ERRNO(is_env ? "environ_get" : "args_get", e, 0);
    int guard_ok = 1;
    for (int i = 0; i < 8; i++) guard_ok &= buf[i] == 0xAA && buf[size + 8 + i] == 0xAA;
    CHECK(is_env ? "environ_get_no_overrun" : "args_get_no_overrun", guard_ok,
          "bytes outside the announced buffer were written");
    int in_bounds = 1, nul_ok = 1;
    for (size_t i = 0; i < count; i++) {
        if (ptrs[i] < buf + 8 || ptrs[i] >= buf + 8 + size) { in_bounds = 0; continue; }
        if (!memchr(ptrs[i], 0, buf + 8 + size - ptrs[i])) nul_ok = 0;
    }
    CHECK(is_env ? "environ_ptrs_in_buffer" : "args_ptrs_in_buffer", in_bounds, "pointer outside buffer");
    CHECK(is_env ? "environ_nul_terminated" : "args_nul_terminated", nul_ok, "missing NUL");
    if (!in_bounds || !nul_ok) return;
    if (is_env) {
        /* Exactly the given variables (as a set; the order is the given order too). */
        int all = count == nwant;
        for (size_t i = 0; all && i < nwant; i++) {
            int found = 0;
            for (size_t j = 0; j < count; j++) found |= strcmp((char *)ptrs[j], want[i]) == 0;
            if (!found) {
                fail("environ_values", "missing \"%s\"", want[i]);
                return;
            }
        }
        CHECK("environ_values", all, "count %u", count);
        int order = count == nwant;
        for (size_t i = 0; order && i < nwant; i++) order = strcmp((char *)ptrs[i], want[i]) == 0;
        CHECK("environ_order", order, "environment not in the given order");
    } else {
        CHECK("argv0_is_module_file_name", count > 0 && strcmp((char *)ptrs[0], want[0]) == 0,
              "argv[0] = \"%s\"", count ? (char *)ptrs[0] : "(none)");
        int same = count == nwant;
        for (size_t i = 1; same && i < nwant; i++) {
            if (strcmp((char *)ptrs[i], want[i]) != 0) {
                fail("args_values", "argv[%zu] = \"%s\", want \"%s\"", i, (char *)ptrs[i], want[i]);
                return;
            }
        }
        CHECK("args_values", same, "count %u", count);
    }
    (void)name;
}

int main(int argc, char **argv) {
    setup();
    check_vector("args", 0, want_args, NARGS);
    check_vector("environ", 1, want_env, NENV);
    /* libc view agrees */
    CHECK("libc_argc", argc == (int)NARGS, "argc = %d", argc);
    CHECK("libc_getenv_eq", getenv("EQ") && strcmp(getenv("EQ"), "a=b=c") == 0, "getenv(EQ)");
    CHECK("libc_getenv_empty", getenv("EMPTY") && getenv("EMPTY")[0] == 0, "getenv(EMPTY)");
    CHECK("libc_getenv_unset", getenv("PATH") == NULL && getenv("HOME") == NULL,
          "host environment leaked into the guest");
    (void)argv;
    return finish();
}
