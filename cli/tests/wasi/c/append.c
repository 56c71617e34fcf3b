/* O_APPEND semantics (Linux): writes go to the end even after a seek;
 * pwrite on an O_APPEND fd appends too, ignoring the offset (Linux
 * pwrite(2) BUGS); O_TRUNC|O_APPEND; toggling APPEND with fd_fdstat_set_flags. */
#include "common.h"

int main(void) {
    setup();
    char buf[256];
    __wasi_filesize_t pos;
    put_file(ROOT, "ap", "0123456789");
    __wasi_fd_t fd = xopen(ROOT, "ap", 0, __WASI_FDFLAGS_APPEND);
    __wasi_fdstat_t st;
    EXPECT_OK("fdstat_get", __wasi_fd_fdstat_get(fd, &st));
    CHECK("fdstat_reports_append", st.fs_flags & __WASI_FDFLAGS_APPEND, "fs_flags 0x%x", st.fs_flags);
    EXPECT_OK("seek_to_start", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    xwrite(fd, "AB", 2);
    CHECK_BYTES("write_after_seek_appends", buf, get_file(ROOT, "ap", buf, sizeof buf), "0123456789AB", 12);
    EXPECT_OK("tell_after_append", __wasi_fd_tell(fd, &pos));
    CHECK_EQ_U64("offset_is_end_after_append", pos, 12);

    /* Reading works at the current offset; the next write still appends. */
    EXPECT_OK("seek_2", __wasi_fd_seek(fd, 2, __WASI_WHENCE_SET, &pos));
    size_t n = xread(fd, buf, 3);
    CHECK_BYTES("read_at_offset_on_append_fd", buf, n, "234", 3);
    xwrite(fd, "C", 1);
    CHECK_BYTES("second_append", buf, get_file(ROOT, "ap", buf, sizeof buf), "0123456789ABC", 13);

    /* pwrite on O_APPEND: Linux appends and leaves the offset alone. */
    EXPECT_OK("seek_1", __wasi_fd_seek(fd, 1, __WASI_WHENCE_SET, &pos));
    __wasi_ciovec_t iov = {(const uint8_t *)"PW", 2};
    __wasi_size_t nw = 0;
    EXPECT_OK("pwrite_on_append_fd", __wasi_fd_pwrite(fd, &iov, 1, 0, &nw));
    CHECK_EQ_U64("pwrite_on_append_count", nw, 2);
    CHECK_BYTES("pwrite_on_append_appends", buf, get_file(ROOT, "ap", buf, sizeof buf), "0123456789ABCPW", 15);
    EXPECT_OK("tell_after_pwrite", __wasi_fd_tell(fd, &pos));
    CHECK_EQ_U64("pwrite_leaves_offset", pos, 1);
    xclose(fd);

    /* O_TRUNC | O_APPEND: truncated, then appends. */
    fd = 0;
    EXPECT_OK("open_trunc_append", try_open(ROOT, "ap", __WASI_OFLAGS_TRUNC, __WASI_FDFLAGS_APPEND, &fd));
    if (fd <= 4) { /* keep going with the remaining checks */
        put_file(ROOT, "ap", "");
        fd = xopen(ROOT, "ap", 0, __WASI_FDFLAGS_APPEND);
    }
    __wasi_filestat_t fs = xfstat(fd);
    CHECK_EQ_U64("trunc_append_truncates", fs.size, 0);
    xwrite(fd, "xy", 2);
    EXPECT_OK("trunc_append_seek0", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    xwrite(fd, "z", 1);
    CHECK_BYTES("trunc_append_content", buf, get_file(ROOT, "ap", buf, sizeof buf), "xyz", 3);
    xclose(fd);

    /* O_CREAT | O_APPEND on a new file. */
    fd = xopen(ROOT, "ap_new", __WASI_OFLAGS_CREAT, __WASI_FDFLAGS_APPEND);
    xwrite(fd, "one", 3);
    xwrite(fd, "two", 3);
    xclose(fd);
    CHECK_BYTES("creat_append", buf, get_file(ROOT, "ap_new", buf, sizeof buf), "onetwo", 6);

    /* Turning APPEND on and off with fd_fdstat_set_flags. */
    put_file(ROOT, "tog", "abcdef");
    fd = xopen(ROOT, "tog", 0, 0);
    EXPECT_OK("set_flags_append_on", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    EXPECT_OK("fdstat_get2", __wasi_fd_fdstat_get(fd, &st));
    CHECK("set_flags_reported", st.fs_flags & __WASI_FDFLAGS_APPEND, "fs_flags 0x%x", st.fs_flags);
    xwrite(fd, "G", 1);
    CHECK_BYTES("set_flags_append_writes_end", buf, get_file(ROOT, "tog", buf, sizeof buf), "abcdefG", 7);
    EXPECT_OK("set_flags_append_off", __wasi_fd_fdstat_set_flags(fd, 0));
    EXPECT_OK("seek_0b", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    xwrite(fd, "Z", 1);
    CHECK_BYTES("append_off_writes_at_offset", buf, get_file(ROOT, "tog", buf, sizeof buf), "ZbcdefG", 7);
    xclose(fd);

    /* Two fds: an append fd appends after data written through another fd;
     * the other fd keeps its own offset (and overwrites the appended byte). */
    put_file(ROOT, "two", "");
    __wasi_fd_t a = xopen(ROOT, "two", 0, __WASI_FDFLAGS_APPEND);
    __wasi_fd_t b = xopen(ROOT, "two", 0, 0);
    xwrite(b, "12345", 5);
    xwrite(a, "A", 1);
    CHECK_BYTES("append_sees_other_fd_writes", buf, get_file(ROOT, "two", buf, sizeof buf), "12345A", 6);
    xwrite(b, "6", 1);
    CHECK_BYTES("other_fd_keeps_its_offset", buf, get_file(ROOT, "two", buf, sizeof buf), "123456", 6);
    xclose(a);
    xclose(b);

    /* A write of nothing on an append fd does not move its offset to the
     * end (Linux: generic_write_checks returns before O_APPEND applies). */
    put_file(ROOT, "empty_append", "xyz");
    a = xopen(ROOT, "empty_append", 0, __WASI_FDFLAGS_APPEND);
    nw = 9;
    __wasi_ciovec_t none = {(const uint8_t *)"", 0};
    EXPECT_OK("append_empty_write", __wasi_fd_write(a, &none, 1, &nw));
    CHECK_EQ_U64("append_empty_write_count", nw, 0);
    EXPECT_OK("append_empty_write_tell", __wasi_fd_tell(a, &pos));
    CHECK_EQ_U64("append_empty_write_keeps_offset", pos, 0);
    xclose(a);
    return finish();
}
