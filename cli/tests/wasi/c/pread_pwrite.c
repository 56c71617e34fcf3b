/* fd_pread / fd_pwrite and vectored fd_read / fd_write. */
#include "common.h"

int main(void) {
    setup();
    char buf[128];
    __wasi_filesize_t pos;
    __wasi_size_t n;
    put_file(ROOT, "p", "abcdefghij");
    __wasi_fd_t fd = xopen(ROOT, "p", 0, 0);
    EXPECT_OK("seek_3", __wasi_fd_seek(fd, 3, __WASI_WHENCE_SET, &pos));
    __wasi_iovec_t riov = {(uint8_t *)buf, 4};
    EXPECT_OK("pread", __wasi_fd_pread(fd, &riov, 1, 5, &n));
    CHECK_BYTES("pread_data", buf, n, "fghi", 4);
    EXPECT_OK("tell_after_pread", __wasi_fd_tell(fd, &pos));
    CHECK_EQ_U64("pread_keeps_offset", pos, 3);
    __wasi_ciovec_t wiov = {(const uint8_t *)"XY", 2};
    EXPECT_OK("pwrite", __wasi_fd_pwrite(fd, &wiov, 1, 1, &n));
    CHECK_EQ_U64("pwrite_count", n, 2);
    EXPECT_OK("tell_after_pwrite", __wasi_fd_tell(fd, &pos));
    CHECK_EQ_U64("pwrite_keeps_offset", pos, 3);
    CHECK_BYTES("pwrite_data", buf, get_file(ROOT, "p", buf, sizeof buf), "aXYdefghij", 10);

    /* pread at and past EOF returns 0 bytes. */
    riov.buf_len = 10;
    EXPECT_OK("pread_at_eof", __wasi_fd_pread(fd, &riov, 1, 10, &n));
    CHECK_EQ_U64("pread_at_eof_zero", n, 0);
    EXPECT_OK("pread_past_eof", __wasi_fd_pread(fd, &riov, 1, 1000, &n));
    CHECK_EQ_U64("pread_past_eof_zero", n, 0);
    EXPECT_OK("pread_short", __wasi_fd_pread(fd, &riov, 1, 7, &n));
    CHECK_BYTES("pread_short_data", buf, n, "hij", 3);

    /* pwrite past EOF zero-fills. */
    EXPECT_OK("pwrite_past_eof", __wasi_fd_pwrite(fd, &wiov, 1, 20, &n));
    __wasi_filestat_t st = xfstat(fd);
    CHECK_EQ_U64("pwrite_past_eof_size", st.size, 22);
    long len = get_file(ROOT, "p", buf, sizeof buf);
    int zeros = len == 22;
    for (int i = 10; zeros && i < 20; i++) zeros = buf[i] == 0;
    CHECK("pwrite_gap_zero", zeros && memcmp(buf + 20, "XY", 2) == 0, "len %ld", len);

    /* Vectored I/O: several iovecs, including empty ones. */
    char a[3], b[1], c[5];
    __wasi_iovec_t rv[4] = {{(uint8_t *)a, 3}, {(uint8_t *)b, 0}, {(uint8_t *)b, 1}, {(uint8_t *)c, 5}};
    EXPECT_OK("seek_0", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    EXPECT_OK("readv", __wasi_fd_read(fd, rv, 4, &n));
    CHECK("readv_scatter", n == 9 && !memcmp(a, "aXY", 3) && b[0] == 'd' && !memcmp(c, "efghi", 5), "n=%u", n);
    __wasi_ciovec_t wv[3] = {{(const uint8_t *)"12", 2}, {(const uint8_t *)"", 0}, {(const uint8_t *)"345", 3}};
    EXPECT_OK("writev", __wasi_fd_write(fd, wv, 3, &n));
    CHECK_EQ_U64("writev_count", n, 5);
    EXPECT_OK("preadv", __wasi_fd_pread(fd, rv, 4, 7, &n));
    /* File is now "aXYdefghi12345" + 6 zero bytes + "XY"; 9 bytes from offset 7. */
    CHECK("preadv_gather", n == 9 && !memcmp(a, "hi1", 3) && b[0] == '2' && !memcmp(c, "345\0\0", 5),
          "n=%u", n);
    __wasi_ciovec_t pv[2] = {{(const uint8_t *)"Q", 1}, {(const uint8_t *)"RS", 2}};
    EXPECT_OK("pwritev", __wasi_fd_pwrite(fd, pv, 2, 0, &n));
    CHECK_EQ_U64("pwritev_count", n, 3);
    len = get_file(ROOT, "p", buf, sizeof buf);
    CHECK("pwritev_data", len >= 3 && !memcmp(buf, "QRS", 3), "prefix %.3s", buf);
    /* Zero iovecs. */
    EXPECT_OK("read_zero_iovecs", __wasi_fd_read(fd, rv, 0, &n));
    CHECK_EQ_U64("read_zero_iovecs_n", n, 0);
    EXPECT_OK("write_zero_iovecs", __wasi_fd_write(fd, wv, 0, &n));
    CHECK_EQ_U64("write_zero_iovecs_n", n, 0);
    xclose(fd);

    /* Reading/writing a fd opened without the right. Linux: read on an
     * O_WRONLY fd and write on an O_RDONLY fd give EBADF. */
    __wasi_fd_t ro, wo;
    EXPECT_OK("open_readonly", __wasi_path_open(ROOT, 0, "p", 0, __WASI_RIGHTS_FD_READ, 0, 0, &ro));
    EXPECT_OK("open_writeonly", __wasi_path_open(ROOT, 0, "p", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &wo));
    EXPECT_ERRNO("write_on_readonly_ebadf", __wasi_fd_write(ro, wv, 1, &n), __WASI_ERRNO_BADF);
    riov.buf_len = 4;
    EXPECT_ERRNO("read_on_writeonly_ebadf", __wasi_fd_read(wo, &riov, 1, &n), __WASI_ERRNO_BADF);
    xclose(ro);
    xclose(wo);

    /* Directory fds: read/pread -> EISDIR (Linux read(2) on a directory);
     * write/pwrite -> EBADF (a directory can only be open read-only on Linux). */
    __wasi_fd_t d = xopen(ROOT, "subdir", __WASI_OFLAGS_DIRECTORY, 0);
    EXPECT_ERRNO("read_dir_eisdir", __wasi_fd_read(d, &riov, 1, &n), __WASI_ERRNO_ISDIR);
    EXPECT_ERRNO("pread_dir_eisdir", __wasi_fd_pread(d, &riov, 1, 0, &n), __WASI_ERRNO_ISDIR);
    EXPECT_ERRNO("write_dir_ebadf", __wasi_fd_write(d, wv, 1, &n), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("pwrite_dir_ebadf", __wasi_fd_pwrite(d, wv, 1, 0, &n), __WASI_ERRNO_BADF);
    xclose(d);
    EXPECT_ERRNO("read_closed_fd", __wasi_fd_read(d, &riov, 1, &n), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("write_closed_fd", __wasi_fd_write(d, wv, 1, &n), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("pread_closed_fd", __wasi_fd_pread(d, &riov, 1, 0, &n), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("pwrite_closed_fd", __wasi_fd_pwrite(d, wv, 1, 0, &n), __WASI_ERRNO_BADF);
    return finish();
}
