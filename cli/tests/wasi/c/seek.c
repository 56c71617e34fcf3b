/* fd_seek / fd_tell: whence, negative offsets, seeking past EOF. */
#include "common.h"

int main(void) {
    setup();
    char buf[64];
    __wasi_filesize_t pos = 777;
    put_file(ROOT, "s", "0123456789");
    __wasi_fd_t fd = xopen(ROOT, "s", 0, 0);
    EXPECT_OK("seek_set", __wasi_fd_seek(fd, 4, __WASI_WHENCE_SET, &pos));
    CHECK_EQ_U64("seek_set_pos", pos, 4);
    EXPECT_OK("seek_cur", __wasi_fd_seek(fd, 3, __WASI_WHENCE_CUR, &pos));
    CHECK_EQ_U64("seek_cur_pos", pos, 7);
    EXPECT_OK("seek_cur_negative", __wasi_fd_seek(fd, -2, __WASI_WHENCE_CUR, &pos));
    CHECK_EQ_U64("seek_cur_negative_pos", pos, 5);
    EXPECT_OK("seek_end", __wasi_fd_seek(fd, -1, __WASI_WHENCE_END, &pos));
    CHECK_EQ_U64("seek_end_pos", pos, 9);
    size_t n = xread(fd, buf, sizeof buf);
    CHECK_BYTES("read_after_seek_end", buf, n, "9", 1);
    EXPECT_OK("tell", __wasi_fd_tell(fd, &pos));
    CHECK_EQ_U64("tell_pos", pos, 10);

    /* Negative resulting offset: EINVAL, offset unchanged. */
    EXPECT_ERRNO("seek_set_negative_einval", __wasi_fd_seek(fd, -1, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO("seek_cur_before_start_einval", __wasi_fd_seek(fd, -11, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO("seek_end_before_start_einval", __wasi_fd_seek(fd, -11, __WASI_WHENCE_END, &pos), __WASI_ERRNO_INVAL);
    EXPECT_OK("tell_after_einval", __wasi_fd_tell(fd, &pos));
    CHECK_EQ_U64("offset_unchanged_after_einval", pos, 10);
    EXPECT_OK("seek_end_minus_size", __wasi_fd_seek(fd, -10, __WASI_WHENCE_END, &pos));
    CHECK_EQ_U64("seek_to_zero_from_end", pos, 0);

    /* Past EOF: reading gives 0 bytes; writing leaves a zero-filled gap. */
    EXPECT_OK("seek_past_eof", __wasi_fd_seek(fd, 100, __WASI_WHENCE_SET, &pos));
    CHECK_EQ_U64("seek_past_eof_pos", pos, 100);
    __wasi_filestat_t st = xfstat(fd);
    CHECK_EQ_U64("seek_does_not_extend", st.size, 10);
    n = xread(fd, buf, sizeof buf);
    CHECK_EQ_U64("read_past_eof_zero", n, 0);
    /* Writing zero bytes there writes nothing: no extension, offset kept
       (POSIX write(2): "no other results"). Found by the syscall_sequence
       fuzz target, whose model wrongly extended the file. */
    __wasi_size_t nw = 77;
    __wasi_ciovec_t empty = {(const uint8_t *)"", 0};
    EXPECT_OK("write_zero_past_eof", __wasi_fd_write(fd, &empty, 1, &nw));
    CHECK_EQ_U64("write_zero_count", nw, 0);
    EXPECT_OK("pwrite_zero_past_eof", __wasi_fd_pwrite(fd, &empty, 1, 5000, &nw));
    CHECK_EQ_U64("pwrite_zero_count", nw, 0);
    st = xfstat(fd);
    CHECK_EQ_U64("zero_write_does_not_extend", st.size, 10);
    EXPECT_OK("tell_after_zero_write", __wasi_fd_tell(fd, &pos));
    CHECK_EQ_U64("zero_write_keeps_offset", pos, 100);
    xwrite(fd, "X", 1);
    st = xfstat(fd);
    CHECK_EQ_U64("write_past_eof_size", st.size, 101);
    static char big[200];
    long len = get_file(ROOT, "s", big, sizeof big);
    int zeros = len == 101 && big[100] == 'X';
    for (int i = 10; zeros && i < 100; i++) zeros = big[i] == 0;
    CHECK("gap_is_zero_filled", zeros, "len %ld", len);
    CHECK("data_before_gap_kept", len > 10 && memcmp(big, "0123456789", 10) == 0, "prefix changed");

    /* SEEK_END with a positive offset, then write. */
    EXPECT_OK("seek_end_plus", __wasi_fd_seek(fd, 4, __WASI_WHENCE_END, &pos));
    CHECK_EQ_U64("seek_end_plus_pos", pos, 105);
    xclose(fd);

    /* A fresh fd starts at 0; offsets are per fd. */
    __wasi_fd_t a = xopen(ROOT, "s", 0, 0), b = xopen(ROOT, "s", 0, 0);
    EXPECT_OK("seek_a", __wasi_fd_seek(a, 5, __WASI_WHENCE_SET, &pos));
    EXPECT_OK("tell_b", __wasi_fd_tell(b, &pos));
    CHECK_EQ_U64("offsets_per_fd", pos, 0);
    xclose(a);
    xclose(b);

    /* Closed fd. */
    EXPECT_ERRNO("seek_bad_fd", __wasi_fd_seek(a, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("tell_bad_fd", __wasi_fd_tell(a, &pos), __WASI_ERRNO_BADF);
    return finish();
}
