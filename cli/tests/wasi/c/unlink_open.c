/* An unlinked file stays usable through its open fds until the last close. */
#include "common.h"

int main(void) {
    setup();
    char buf[64];
    put_file(ROOT, "u", "keep me");
    __wasi_fd_t a = xopen(ROOT, "u", 0, 0);
    __wasi_fd_t b = xopen(ROOT, "u", 0, 0);
    __wasi_filestat_t before = xfstat(a);
    EXPECT_OK("unlink_open_file", __wasi_path_unlink_file(ROOT, "u"));
    CHECK("name_gone", !exists(ROOT, "u"), "u still exists");
    CHECK_BYTES("data_readable_after_unlink", buf, xread(a, buf, sizeof buf), "keep me", 7);
    __wasi_filestat_t after = xfstat(a);
    CHECK_EQ_U64("nlink_zero_after_unlink", after.nlink, 0);
    CHECK_EQ_U64("same_inode_after_unlink", after.ino, before.ino);
    xwrite(a, " more", 5);
    __wasi_size_t n;
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    EXPECT_OK("pread_other_fd", __wasi_fd_pread(b, &iov, 1, 0, &n));
    CHECK_BYTES("writes_visible_to_other_fd", buf, n, "keep me more", 12);
    EXPECT_OK("truncate_unlinked", __wasi_fd_filestat_set_size(a, 4));
    CHECK_EQ_U64("size_after_truncate_unlinked", xfstat(b).size, 4);
    /* A new file with the same name is a different file. */
    put_file(ROOT, "u", "new");
    CHECK("new_file_different_inode", xstat(ROOT, "u", 0).ino != before.ino, "inode reused while still open");
    xclose(a);
    EXPECT_OK("pread_after_first_close", __wasi_fd_pread(b, &iov, 1, 0, &n));
    CHECK_BYTES("data_alive_until_last_close", buf, n, "keep", 4);
    xclose(b);
    CHECK_BYTES("new_file_content", buf, get_file(ROOT, "u", buf, sizeof buf), "new", 3);
    return finish();
}
