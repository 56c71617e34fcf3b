/* sock_* on non-socket fds -> ENOTSOCK; stdio fds. */
#include "common.h"

int main(void) {
    setup();
    __wasi_fd_t fd = xopen(ROOT, "hello.txt", 0, 0);
    uint8_t b[8];
    __wasi_iovec_t iov = {b, sizeof b};
    __wasi_ciovec_t ciov = {b, sizeof b};
    __wasi_size_t n;
    __wasi_roflags_t ro;
    __wasi_fd_t nfd;
    EXPECT_ERRNO("sock_recv_file_enotsock", __wasi_sock_recv(fd, &iov, 1, 0, &n, &ro), __WASI_ERRNO_NOTSOCK);
    EXPECT_ERRNO("sock_send_file_enotsock", __wasi_sock_send(fd, &ciov, 1, 0, &n), __WASI_ERRNO_NOTSOCK);
    EXPECT_ERRNO("sock_shutdown_file_enotsock", __wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD), __WASI_ERRNO_NOTSOCK);
    EXPECT_ERRNO("sock_accept_file_enotsock", __wasi_sock_accept(fd, 0, &nfd), __WASI_ERRNO_NOTSOCK);
    EXPECT_ERRNO("sock_accept_dir_enotsock", __wasi_sock_accept(ROOT, 0, &nfd), __WASI_ERRNO_NOTSOCK);
    EXPECT_ERRNO("sock_recv_stdout_enotsock", __wasi_sock_recv(1, &iov, 1, 0, &n, &ro), __WASI_ERRNO_NOTSOCK);
    xclose(fd);
    EXPECT_ERRNO("sock_recv_closed_ebadf", __wasi_sock_recv(fd, &iov, 1, 0, &n, &ro), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("sock_send_closed_ebadf", __wasi_sock_send(fd, &ciov, 1, 0, &n), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("sock_shutdown_closed_ebadf", __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("sock_accept_closed_ebadf", __wasi_sock_accept(fd, 0, &nfd), __WASI_ERRNO_BADF);

    /* stdio: fd 0..2 are open, not preopens, writable/readable. */
    __wasi_fdstat_t st;
    EXPECT_OK("fdstat_stdin", __wasi_fd_fdstat_get(0, &st));
    EXPECT_OK("fdstat_stdout", __wasi_fd_fdstat_get(1, &st));
    EXPECT_OK("fdstat_stderr", __wasi_fd_fdstat_get(2, &st));
    const char *msg = "stderr line from sock_stdio\n";
    __wasi_ciovec_t e = {(const uint8_t *)msg, strlen(msg)};
    EXPECT_OK("write_stderr", __wasi_fd_write(2, &e, 1, &n));
    CHECK_EQ_U64("write_stderr_count", n, strlen(msg));
    /* stdin is empty (the harness gives /dev/null or an empty pipe): EOF. */
    EXPECT_OK("read_stdin_eof", __wasi_fd_read(0, &iov, 1, &n));
    CHECK_EQ_U64("stdin_eof_zero_bytes", n, 0);
    /* A write to stdout through the raw call lands in order with printf. */
    fflush(stdout);
    const char *line = "ok raw_stdout_write\n";
    __wasi_ciovec_t o = {(const uint8_t *)line, strlen(line)};
    if (__wasi_fd_write(1, &o, 1, &n) == 0 && n == strlen(line)) g_checks++;
    else fail("raw_stdout_write", "fd_write(1) failed");
    /* Close stderr; it is then EBADF. */
    EXPECT_OK("close_stderr", __wasi_fd_close(2));
    EXPECT_ERRNO("write_closed_stderr_ebadf", __wasi_fd_write(2, &e, 1, &n), __WASI_ERRNO_BADF);
    return finish();
}
