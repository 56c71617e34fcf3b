/* fd_filestat_set_size, O_TRUNC, fd_allocate. */
#include "common.h"

int main(void) {
    setup();
    char buf[256];
    put_file(ROOT, "t", "0123456789");
    __wasi_fd_t fd = xopen(ROOT, "t", 0, 0);
    EXPECT_OK("shrink", __wasi_fd_filestat_set_size(fd, 4));
    CHECK_EQ_U64("shrink_size", xfstat(fd).size, 4);
    CHECK_BYTES("shrink_content", buf, get_file(ROOT, "t", buf, sizeof buf), "0123", 4);
    EXPECT_OK("extend", __wasi_fd_filestat_set_size(fd, 8));
    long len = get_file(ROOT, "t", buf, sizeof buf);
    CHECK_BYTES("extend_zero_fills", buf, len, "0123\0\0\0\0", 8);
    /* Shrinking then extending must not resurrect old bytes. */
    EXPECT_OK("shrink_to_zero", __wasi_fd_filestat_set_size(fd, 0));
    EXPECT_OK("extend_again", __wasi_fd_filestat_set_size(fd, 3));
    CHECK_BYTES("no_stale_bytes", buf, get_file(ROOT, "t", buf, sizeof buf), "\0\0\0", 3);
    /* The offset is not changed by truncation. */
    __wasi_filesize_t pos;
    EXPECT_OK("seek_6", __wasi_fd_seek(fd, 6, __WASI_WHENCE_SET, &pos));
    EXPECT_OK("truncate_below_offset", __wasi_fd_filestat_set_size(fd, 2));
    EXPECT_OK("tell", __wasi_fd_tell(fd, &pos));
    CHECK_EQ_U64("offset_kept_after_truncate", pos, 6);
    xwrite(fd, "W", 1);
    CHECK_BYTES("write_after_truncate_gap", buf, get_file(ROOT, "t", buf, sizeof buf), "\0\0\0\0\0\0W", 7);
    xclose(fd);

    /* O_TRUNC */
    put_file(ROOT, "t2", "abcdef");
    fd = xopen(ROOT, "t2", __WASI_OFLAGS_TRUNC, 0);
    CHECK_EQ_U64("o_trunc_size", xfstat(fd).size, 0);
    xclose(fd);

    /* fd_allocate: grows, never shrinks, new bytes read as zero. */
    put_file(ROOT, "al", "0123456789");
    fd = xopen(ROOT, "al", 0, 0);
    EXPECT_OK("allocate_grow", __wasi_fd_allocate(fd, 0, 100));
    CHECK_EQ_U64("allocate_grow_size", xfstat(fd).size, 100);
    len = get_file(ROOT, "al", buf, sizeof buf);
    int zeros = len == 100 && memcmp(buf, "0123456789", 10) == 0;
    for (int i = 10; zeros && i < 100; i++) zeros = buf[i] == 0;
    CHECK("allocate_zero_filled", zeros, "len %ld", len);
    EXPECT_OK("allocate_inside", __wasi_fd_allocate(fd, 0, 5));
    CHECK_EQ_U64("allocate_never_shrinks", xfstat(fd).size, 100);
    EXPECT_OK("allocate_offset_len", __wasi_fd_allocate(fd, 150, 50));
    CHECK_EQ_U64("allocate_offset_len_size", xfstat(fd).size, 200);
    /* Linux fallocate(2)/posix_fallocate: len == 0 -> EINVAL. */
    EXPECT_ERRNO("allocate_zero_len_einval", __wasi_fd_allocate(fd, 0, 0), __WASI_ERRNO_INVAL);
    /* Linux fallocate(2): offset + len > max file size -> EFBIG. */
    EXPECT_ERRNO("allocate_overflow_efbig", __wasi_fd_allocate(fd, 0x7fffffffffffffffull, 2), __WASI_ERRNO_FBIG);
    xclose(fd);

    /* Shrinking to a length inside a never-written (sparse) region keeps
     * the data before it (found by the syscall_sequence fuzz target: the
     * shim once cut its last stored 64 KiB chunk at the new length's offset
     * within its own chunk). */
    put_file(ROOT, "sp", "");
    fd = xopen(ROOT, "sp", 0, 0);
    static char pat[300], back[300];
    for (int i = 0; i < 300; i++) pat[i] = (char)(i % 251 + 1);
    xwrite(fd, pat, sizeof pat);
    EXPECT_OK("sparse_extend", __wasi_fd_filestat_set_size(fd, 200000));
    EXPECT_OK("sparse_shrink_inside_hole", __wasi_fd_filestat_set_size(fd, 65536 + 100));
    CHECK_EQ_U64("sparse_shrink_size", xfstat(fd).size, 65536 + 100);
    __wasi_iovec_t iov = {(uint8_t *)back, sizeof back};
    __wasi_size_t got = 0;
    EXPECT_OK("sparse_pread", __wasi_fd_pread(fd, &iov, 1, 0, &got));
    CHECK("sparse_data_kept", got == sizeof back && memcmp(back, pat, sizeof pat) == 0,
          "got %u bytes", (unsigned)got);
    EXPECT_OK("sparse_pread_hole", __wasi_fd_pread(fd, &iov, 1, 65536, &got));
    zeros = got == 100;
    for (unsigned i = 0; zeros && i < got; i++) zeros = back[i] == 0;
    CHECK("sparse_hole_zero", zeros, "got %u bytes", (unsigned)got);
    xclose(fd);

    /* On a directory fd: Linux fallocate -> EBADF (not open for writing),
     * ftruncate -> EINVAL. */
    __wasi_fd_t d = xopen(ROOT, "subdir", __WASI_OFLAGS_DIRECTORY, 0);
    EXPECT_ERRNO("allocate_dir_ebadf", __wasi_fd_allocate(d, 0, 1), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("set_size_dir_einval", __wasi_fd_filestat_set_size(d, 0), __WASI_ERRNO_INVAL);
    xclose(d);
    EXPECT_ERRNO("set_size_closed_ebadf", __wasi_fd_filestat_set_size(d, 0), __WASI_ERRNO_BADF);
    return finish();
}
