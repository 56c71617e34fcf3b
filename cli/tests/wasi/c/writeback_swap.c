/* writeback_swap: the guest half of the directory-swap race of
 * tests/wasi_escape.rs (`afmpeg run --dir m::/m --write-back`). The host
 * mount holds d/secret.txt ("inside"); beside the mount, victim/secret.txt
 * holds "victim". While this program runs, the harness keeps swapping m/d
 * for a symlink to ../victim and back.
 *
 * It prints "ready", then, round after round, reads d/secret.txt by path
 * and through an fd of d, and creates and writes d/out.txt, d/sub/x.txt and
 * (through the fd of d) w.txt, until the host file `stop` appears in the
 * mount. A read that returns anything but "inside" is printed as
 * "ESCAPE <what it read>". Last comes one line of counts:
 * "rounds N read R refused F wrote W". Failed opens are expected (the
 * symlink leads out of the mount) and are only counted.
 *
 * Not a conformance program: listed as special in tests/wasi_conformance.rs. */
#include "common.h"

/* Rounds at most, should the harness never create `stop`. */
#define MAX_ROUNDS 200000

static long reads, refused, wrote;

/* Reads `path` under `dir` and reports what it holds. */
static void read_one(__wasi_fd_t dir, const char *path) {
    __wasi_fd_t fd;
    int e = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, 0,
                             __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (e) {
        refused++;
        return;
    }
    char buf[64];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    e = __wasi_fd_read(fd, &iov, 1, &n);
    (void)__wasi_fd_close(fd);
    if (e) {
        refused++;
        return;
    }
    buf[n] = 0;
    reads++;
    if (strcmp(buf, "inside") != 0) printf("ESCAPE %s: %s\n", path, buf);
}

/* Creates (or truncates) `path` under `dir` and writes "guest" to it. */
static void write_one(__wasi_fd_t dir, const char *path) {
    __wasi_fd_t fd;
    int e = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path,
                             __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                             __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
    if (e) {
        refused++;
        return;
    }
    __wasi_ciovec_t iov = {(const uint8_t *)"guest", 5};
    __wasi_size_t n;
    if (__wasi_fd_write(fd, &iov, 1, &n) == 0 && n == 5) wrote++;
    else refused++;
    (void)__wasi_fd_close(fd);
}

int main(void) {
    setup();
    printf("ready\n");
    fflush(stdout);
    long round = 0;
    while (round < MAX_ROUNDS && !exists(ROOT, "stop")) {
        round++;
        read_one(ROOT, "d/secret.txt");
        write_one(ROOT, "d/out.txt");
        /* EEXIST after the first round, or refused while d is the link. */
        (void)__wasi_path_create_directory(ROOT, "d/sub");
        write_one(ROOT, "d/sub/x.txt");
        __wasi_fd_t d;
        if (__wasi_path_open(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "d",
                             __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR, RIGHTS_ALL, 0, &d) == 0) {
            read_one(d, "secret.txt");
            write_one(d, "w.txt");
            (void)__wasi_fd_close(d);
        } else {
            refused++;
        }
    }
    printf("rounds %ld read %ld refused %ld wrote %ld\n", round, reads, refused, wrote);
    CHECK("saw_stop", round < MAX_ROUNDS, "the harness never created stop");
    return finish();
}
