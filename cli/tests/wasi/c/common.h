/* Shared helpers for the afmpeg WASI conformance programs.
 *
 * Each program runs with the fixture directory preopened as fd 3 (guest name
 * "/sandbox"), prints one line per check:
 *     ok <name>
 *     FAIL <name>: <detail>
 * and finally "done <checks> <failures>", exiting 1 when any check failed.
 * Check names are string literals in the EXPECT_ and CHECK macros so the Rust
 * harness can list them from the source. Errnos are the exact values Linux
 * gives (the wasi-testsuite "strict unix errno" mode). */
#ifndef AFMPEG_WASI_COMMON_H
#define AFMPEG_WASI_COMMON_H

#include <wasi/api.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT ((__wasi_fd_t)3)
#define RIGHTS_ALL ((__wasi_rights_t)0x1FFFFFFFull)

static int g_checks, g_fails;

static const char *errname(int e) {
    switch (e) {
    case 0: return "SUCCESS"; case 1: return "2BIG"; case 2: return "ACCES";
    case 8: return "BADF"; case 10: return "BUSY"; case 20: return "EXIST";
    case 21: return "FAULT"; case 22: return "FBIG"; case 25: return "ILSEQ";
    case 28: return "INVAL"; case 29: return "IO"; case 31: return "ISDIR";
    case 32: return "LOOP"; case 33: return "MFILE"; case 34: return "MLINK";
    case 37: return "NAMETOOLONG"; case 44: return "NOENT"; case 51: return "NOSPC";
    case 52: return "NOSYS"; case 54: return "NOTDIR"; case 55: return "NOTEMPTY";
    case 57: return "NOTSOCK"; case 58: return "NOTSUP"; case 61: return "OVERFLOW";
    case 63: return "PERM"; case 70: return "SPIPE"; case 75: return "XDEV";
    case 76: return "NOTCAPABLE"; default: return "?";
    }
}

static void ok(const char *name) { g_checks++; printf("ok %s\n", name); }

static void fail(const char *name, const char *fmt, ...) {
    va_list ap;
    g_checks++;
    g_fails++;
    printf("FAIL %s: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* Exact errno check (0 == success). */
#define EXPECT_ERRNO(name, call, expected)                                            \
    do {                                                                              \
        int e_ = (int)(call);                                                         \
        int x_ = (int)(expected);                                                     \
        if (e_ == x_) ok(name);                                                       \
        else fail(name, "%s: expected errno %d (%s) got %d (%s)", #call, x_,          \
                  errname(x_), e_, errname(e_));                                      \
    } while (0)
#define EXPECT_OK(name, call) EXPECT_ERRNO(name, call, 0)

/* Generic condition with a printf-style detail on failure. */
#define CHECK(name, cond, ...)                                                        \
    do {                                                                              \
        if (cond) ok(name);                                                           \
        else fail(name, __VA_ARGS__);                                                 \
    } while (0)

#define CHECK_EQ_U64(name, got, want)                                                 \
    do {                                                                              \
        unsigned long long g_ = (unsigned long long)(got);                            \
        unsigned long long w_ = (unsigned long long)(want);                           \
        if (g_ == w_) ok(name);                                                       \
        else fail(name, "%s: expected %llu got %llu", #got, w_, g_);                  \
    } while (0)

#define CHECK_BYTES(name, got, got_len, want, want_len)                               \
    do {                                                                              \
        size_t gl_ = (size_t)(got_len), wl_ = (size_t)(want_len);                     \
        if (gl_ == wl_ && memcmp((got), (want), wl_) == 0) ok(name);                  \
        else fail(name, "content mismatch: expected %zu bytes \"%.*s\" got %zu bytes "  \
                  "\"%.*s\"", wl_, (int)(wl_ > 64 ? 64 : wl_), (const char *)(want),   \
                  gl_, (int)(gl_ > 64 ? 64 : gl_), (const char *)(got));               \
    } while (0)

static int finish(void) {
    printf("done %d %d\n", g_checks, g_fails);
    fflush(stdout);
    return g_fails ? 1 : 0;
}

static void setup(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

/* ---- small raw-WASI helpers (abort the program on unexpected errors) ---- */

static void die(const char *what, int e) {
    printf("FAIL setup: %s: errno %d (%s)\n", what, e, errname(e));
    printf("done %d %d\n", g_checks + 1, g_fails + 1);
    fflush(stdout);
    __wasi_proc_exit(2);
}

/* Directories are opened without the rights that imply write access
 * (FD_WRITE, FD_ALLOCATE, FD_FILESTAT_SET_SIZE; wasi-libc's O_RDONLY also
 * drops them): like Linux open(dir, O_RDWR), asking for write access to a
 * directory is EISDIR. */
#define RIGHTS_DIR (RIGHTS_ALL & ~(__wasi_rights_t)(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE | \
                                                    __WASI_RIGHTS_FD_FILESTAT_SET_SIZE))
static __wasi_rights_t rights_for(__wasi_oflags_t oflags) {
    return (oflags & __WASI_OFLAGS_DIRECTORY) ? RIGHTS_DIR : RIGHTS_ALL;
}

static __wasi_fd_t xopen(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags,
                         __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd;
    int e = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags,
                             rights_for(oflags), RIGHTS_ALL, fdflags, &fd);
    if (e) die(path, e);
    return fd;
}

static int try_open(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags,
                    __wasi_fdflags_t fdflags, __wasi_fd_t *out) {
    return __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags,
                            rights_for(oflags), RIGHTS_ALL, fdflags, out);
}

static size_t xwrite(__wasi_fd_t fd, const void *buf, size_t len) {
    __wasi_ciovec_t iov = {(const uint8_t *)buf, len};
    __wasi_size_t n;
    int e = __wasi_fd_write(fd, &iov, 1, &n);
    if (e) die("fd_write", e);
    return n;
}

static size_t xread(__wasi_fd_t fd, void *buf, size_t len) {
    __wasi_iovec_t iov = {(uint8_t *)buf, len};
    __wasi_size_t n;
    int e = __wasi_fd_read(fd, &iov, 1, &n);
    if (e) die("fd_read", e);
    return n;
}

static void xclose(__wasi_fd_t fd) {
    int e = __wasi_fd_close(fd);
    if (e) die("fd_close", e);
}

static void xmkdir(__wasi_fd_t dir, const char *path) {
    int e = __wasi_path_create_directory(dir, path);
    if (e) die(path, e);
}

/* Create (or truncate) a file with the given content. */
static void put_file(__wasi_fd_t dir, const char *path, const char *content) {
    __wasi_fd_t fd = xopen(dir, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0);
    if (content && *content) xwrite(fd, content, strlen(content));
    xclose(fd);
}

/* Read a whole file through a fresh fd into buf (NUL-terminated); returns
 * length, or -errno when it cannot be opened. */
static long get_file(__wasi_fd_t dir, const char *path, char *buf, size_t cap) {
    __wasi_fd_t fd;
    int e = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, 0,
                             __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0, 0, &fd);
    if (e) return -e;
    size_t total = 0;
    for (;;) {
        size_t n = xread(fd, buf + total, cap - 1 - total);
        if (n == 0) break;
        total += n;
        if (total == cap - 1) break;
    }
    buf[total] = 0;
    xclose(fd);
    return (long)total;
}

static __wasi_filestat_t xstat(__wasi_fd_t dir, const char *path, int follow) {
    __wasi_filestat_t st;
    int e = __wasi_path_filestat_get(dir, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0,
                                     path, &st);
    if (e) die(path, e);
    return st;
}

static __wasi_filestat_t xfstat(__wasi_fd_t fd) {
    __wasi_filestat_t st;
    int e = __wasi_fd_filestat_get(fd, &st);
    if (e) die("fd_filestat_get", e);
    return st;
}

static int exists(__wasi_fd_t dir, const char *path) {
    __wasi_filestat_t st;
    return __wasi_path_filestat_get(dir, 0, path, &st) == 0;
}

static uint64_t now_ns(__wasi_clockid_t id) {
    __wasi_timestamp_t t;
    int e = __wasi_clock_time_get(id, 1, &t);
    if (e) die("clock_time_get", e);
    return t;
}

#endif
