/* fd_filestat_get / path_filestat_get / *_set_times. */
#include "common.h"

#define SEC 1000000000ull

int main(void) {
    setup();
    put_file(ROOT, "t", "12345");
    __wasi_filestat_t a = xstat(ROOT, "t", 0);
    __wasi_fd_t fd = xopen(ROOT, "t", 0, 0);
    __wasi_filestat_t b = xfstat(fd);
    CHECK_EQ_U64("size", a.size, 5);
    CHECK_EQ_U64("filetype", a.filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ_U64("nlink", a.nlink, 1);
    CHECK("fd_and_path_agree", a.ino == b.ino && a.dev == b.dev && a.size == b.size, "mismatch");
    CHECK("ino_nonzero", a.ino != 0, "ino is 0");
    __wasi_filestat_t other = xstat(ROOT, "hello.txt", 0);
    CHECK("distinct_inodes", other.ino != a.ino, "two files share an inode");
    CHECK("same_device_in_preopen", other.dev == a.dev, "dev differs within a preopen");
    __wasi_filestat_t d = xstat(ROOT, "subdir", 0);
    CHECK_EQ_U64("dir_filetype", d.filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_EQ_U64("preopen_fd_filetype", xfstat(ROOT).filetype, __WASI_FILETYPE_DIRECTORY);
    uint64_t now = now_ns(__WASI_CLOCKID_REALTIME);
    CHECK("mtime_recent", a.mtim > now - 3600 * SEC && a.mtim <= now + 60 * SEC, "mtim %llu now %llu",
          (unsigned long long)a.mtim, (unsigned long long)now);

    /* Explicit times. */
    EXPECT_OK("set_times_explicit", __wasi_fd_filestat_set_times(fd, 1000 * SEC + 5, 2000 * SEC + 7,
                                                                 __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    b = xfstat(fd);
    CHECK_EQ_U64("atim_set", b.atim, 1000 * SEC + 5);
    CHECK_EQ_U64("mtim_set", b.mtim, 2000 * SEC + 7);
    /* Only mtim: atim unchanged. */
    EXPECT_OK("set_mtim_only", __wasi_fd_filestat_set_times(fd, 0, 3000 * SEC, __WASI_FSTFLAGS_MTIM));
    b = xfstat(fd);
    CHECK_EQ_U64("atim_untouched", b.atim, 1000 * SEC + 5);
    CHECK_EQ_U64("mtim_only_set", b.mtim, 3000 * SEC);
    /* NOW. */
    EXPECT_OK("set_times_now", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));
    b = xfstat(fd);
    now = now_ns(__WASI_CLOCKID_REALTIME);
    CHECK("mtim_now", b.mtim > now - 60 * SEC && b.mtim <= now + 60 * SEC, "mtim %llu", (unsigned long long)b.mtim);
    CHECK("atim_now", b.atim > now - 60 * SEC && b.atim <= now + 60 * SEC, "atim %llu", (unsigned long long)b.atim);
    /* ATIM together with ATIM_NOW is invalid. */
    EXPECT_ERRNO("atim_and_atim_now_einval",
                 __wasi_fd_filestat_set_times(fd, 1, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
                 __WASI_ERRNO_INVAL);
    EXPECT_ERRNO("mtim_and_mtim_now_einval",
                 __wasi_fd_filestat_set_times(fd, 0, 1, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
                 __WASI_ERRNO_INVAL);

    /* Writing updates mtim (set it to the past first). */
    EXPECT_OK("set_old_mtim", __wasi_fd_filestat_set_times(fd, 0, 10 * SEC, __WASI_FSTFLAGS_MTIM));
    xwrite(fd, "x", 1);
    b = xfstat(fd);
    CHECK("write_updates_mtim", b.mtim > 10 * SEC, "mtim %llu", (unsigned long long)b.mtim);
    CHECK_EQ_U64("size_after_write", b.size, 5);
    EXPECT_OK("set_old_mtim2", __wasi_fd_filestat_set_times(fd, 0, 10 * SEC, __WASI_FSTFLAGS_MTIM));
    EXPECT_OK("truncate", __wasi_fd_filestat_set_size(fd, 2));
    CHECK("truncate_updates_mtim", xfstat(fd).mtim > 10 * SEC, "mtim not updated");
    xclose(fd);

    /* Creating a file in a directory updates the directory's mtim. */
    EXPECT_OK("dir_old_mtim", __wasi_path_filestat_set_times(ROOT, 0, "subdir", 0, 10 * SEC, __WASI_FSTFLAGS_MTIM));
    put_file(ROOT, "subdir/newfile", "n");
    CHECK("create_updates_dir_mtim", xstat(ROOT, "subdir", 0).mtim > 10 * SEC, "dir mtim not updated");

    /* path_filestat_set_times follows symlinks only with SYMLINK_FOLLOW. */
    EXPECT_OK("symlink", __wasi_path_symlink("t", ROOT, "tl"));
    EXPECT_OK("path_set_times_follow",
              __wasi_path_filestat_set_times(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "tl", 0, 5000 * SEC,
                                             __WASI_FSTFLAGS_MTIM));
    CHECK_EQ_U64("follow_sets_target", xstat(ROOT, "t", 0).mtim, 5000 * SEC);
    EXPECT_OK("path_set_times_nofollow",
              __wasi_path_filestat_set_times(ROOT, 0, "tl", 0, 6000 * SEC, __WASI_FSTFLAGS_MTIM));
    CHECK_EQ_U64("nofollow_sets_link", xstat(ROOT, "tl", 0).mtim, 6000 * SEC);
    CHECK_EQ_U64("nofollow_leaves_target", xstat(ROOT, "t", 0).mtim, 5000 * SEC);
    EXPECT_ERRNO("path_set_times_missing", __wasi_path_filestat_set_times(ROOT, 0, "missing", 0, 0, __WASI_FSTFLAGS_MTIM),
                 __WASI_ERRNO_NOENT);
    __wasi_filestat_t st;
    EXPECT_ERRNO("path_filestat_missing", __wasi_path_filestat_get(ROOT, 0, "missing", &st), __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("fd_filestat_closed", __wasi_fd_filestat_get(fd, &st), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("fd_set_times_closed",
                 __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_BADF);
    return finish();
}
