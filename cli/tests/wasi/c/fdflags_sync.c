/* SYNC / DSYNC / RSYNC / NONBLOCK fdflags, fd_sync, fd_datasync, fd_advise, sched_yield. */
#include "common.h"

int main(void) {
    setup();
    char buf[64];
    __wasi_fdstat_t st;
    __wasi_fd_t fd = 0;
    EXPECT_OK("open_sync", try_open(ROOT, "sy", __WASI_OFLAGS_CREAT, __WASI_FDFLAGS_SYNC, &fd));
    if (fd <= 2 || __wasi_fd_fdstat_get(fd, &st)) fd = xopen(ROOT, "sy", __WASI_OFLAGS_CREAT, 0); /* keep going */
    xwrite(fd, "sync", 4);
    EXPECT_OK("fdstat_sync", __wasi_fd_fdstat_get(fd, &st));
    CHECK("sync_flag_reported", st.fs_flags & __WASI_FDFLAGS_SYNC, "fs_flags 0x%x", st.fs_flags);
    xclose(fd);
    CHECK_BYTES("sync_write_data", buf, get_file(ROOT, "sy", buf, sizeof buf), "sync", 4);

    fd = 0;
    EXPECT_OK("open_dsync", try_open(ROOT, "ds", __WASI_OFLAGS_CREAT, __WASI_FDFLAGS_DSYNC, &fd));
    if (fd <= 2 || __wasi_fd_fdstat_get(fd, &st)) fd = xopen(ROOT, "ds", __WASI_OFLAGS_CREAT, 0); /* keep going */
    xwrite(fd, "dsync", 5);
    EXPECT_OK("fdstat_dsync", __wasi_fd_fdstat_get(fd, &st));
    CHECK("dsync_flag_reported", st.fs_flags & __WASI_FDFLAGS_DSYNC, "fs_flags 0x%x", st.fs_flags);
    xclose(fd);
    CHECK_BYTES("dsync_write_data", buf, get_file(ROOT, "ds", buf, sizeof buf), "dsync", 5);

    fd = 0;
    EXPECT_OK("open_rsync", try_open(ROOT, "ds", 0, __WASI_FDFLAGS_RSYNC, &fd));
    if (fd <= 2 || __wasi_fd_fdstat_get(fd, &st)) fd = xopen(ROOT, "ds", 0, 0);
    CHECK_BYTES("rsync_read", buf, xread(fd, buf, sizeof buf), "dsync", 5);
    xclose(fd);

    fd = 0;
    EXPECT_OK("open_all_sync_flags",
              try_open(ROOT, "all", __WASI_OFLAGS_CREAT,
                       __WASI_FDFLAGS_SYNC | __WASI_FDFLAGS_DSYNC | __WASI_FDFLAGS_RSYNC | __WASI_FDFLAGS_APPEND, &fd));
    if (fd > 4) xclose(fd);

    EXPECT_OK("open_nonblock", try_open(ROOT, "hello.txt", 0, __WASI_FDFLAGS_NONBLOCK, &fd));
    CHECK_BYTES("nonblock_read", buf, xread(fd, buf, sizeof buf), "hello world\n", 12);
    /* Linux fcntl(F_SETFL) silently ignores O_SYNC/O_DSYNC: success. */
    EXPECT_OK("set_flags_sync_ok", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_SYNC));
    EXPECT_OK("set_flags_nonblock_ok", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK));
    EXPECT_OK("fd_sync_file", __wasi_fd_sync(fd));
    EXPECT_OK("fd_datasync_file", __wasi_fd_datasync(fd));
    EXPECT_OK("advise_normal", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NORMAL));
    EXPECT_OK("advise_sequential", __wasi_fd_advise(fd, 0, 100, __WASI_ADVICE_SEQUENTIAL));
    EXPECT_OK("advise_random", __wasi_fd_advise(fd, 5, 5, __WASI_ADVICE_RANDOM));
    EXPECT_OK("advise_willneed", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_WILLNEED));
    EXPECT_OK("advise_dontneed", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_DONTNEED));
    EXPECT_OK("advise_noreuse", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NOREUSE));
    /* The file is unchanged by advice. */
    __wasi_filesize_t pos;
    EXPECT_OK("seek0", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    CHECK_BYTES("advise_keeps_data", buf, xread(fd, buf, sizeof buf), "hello world\n", 12);
    xclose(fd);
    EXPECT_ERRNO("fd_sync_closed", __wasi_fd_sync(fd), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("fd_datasync_closed", __wasi_fd_datasync(fd), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("advise_closed", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NORMAL), __WASI_ERRNO_BADF);

    /* fsync/fdatasync on a directory fd succeed on Linux. */
    __wasi_fd_t d = xopen(ROOT, "subdir", __WASI_OFLAGS_DIRECTORY, 0);
    EXPECT_OK("fd_sync_dir", __wasi_fd_sync(d));
    EXPECT_OK("fd_datasync_dir", __wasi_fd_datasync(d));
    xclose(d);

    EXPECT_OK("sched_yield", __wasi_sched_yield());
    return finish();
}
