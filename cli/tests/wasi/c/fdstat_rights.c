/* fd_fdstat_get and fd_fdstat_set_rights (rights can only be reduced). */
#include "common.h"

int main(void) {
    setup();
    __wasi_fdstat_t st;
    EXPECT_OK("fdstat_preopen", __wasi_fd_fdstat_get(ROOT, &st));
    CHECK_EQ_U64("preopen_is_directory", st.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK("preopen_has_path_open_right", st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN, "rights 0x%llx",
          (unsigned long long)st.fs_rights_base);

    __wasi_fd_t fd = xopen(ROOT, "hello.txt", 0, 0);
    EXPECT_OK("fdstat_file", __wasi_fd_fdstat_get(fd, &st));
    CHECK_EQ_U64("file_is_regular", st.fs_filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ_U64("file_no_flags", st.fs_flags, 0);
    CHECK("file_has_read_write", (st.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)) ==
                                    (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE),
          "rights 0x%llx", (unsigned long long)st.fs_rights_base);

    /* Reduce to read+seek+fdstat: reading works, writing is not capable. */
    __wasi_rights_t keep = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
                           __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS;
    EXPECT_OK("reduce_rights", __wasi_fd_fdstat_set_rights(fd, keep, 0));
    EXPECT_OK("fdstat_after_reduce", __wasi_fd_fdstat_get(fd, &st));
    CHECK_EQ_U64("rights_base_reduced", st.fs_rights_base, keep);
    CHECK_EQ_U64("rights_inheriting_reduced", st.fs_rights_inheriting, 0);
    char buf[16];
    CHECK_EQ_U64("read_still_works", xread(fd, buf, 5), 5);
    __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    /* Like Linux write(2) on a fd not open for writing: EBADF (same as
     * pread_pwrite.c's write_on_readonly_ebadf). */
    EXPECT_ERRNO("write_without_right_ebadf", __wasi_fd_write(fd, &iov, 1, &n), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("increase_rights_notcapable",
                 __wasi_fd_fdstat_set_rights(fd, keep | __WASI_RIGHTS_FD_WRITE, 0), __WASI_ERRNO_NOTCAPABLE);
    EXPECT_OK("fdstat_after_failed_increase", __wasi_fd_fdstat_get(fd, &st));
    CHECK_EQ_U64("rights_unchanged_after_failed_increase", st.fs_rights_base, keep);
    xclose(fd);

    /* The rights requested when opening a directory do not bound what is
     * opened through it: access follows each open's own mode
     * (wasi-shim/RATIONALE.md, "rights"; a reduction made with
     * fd_fdstat_set_rights is honoured, see rights_open_mode.c). */
    __wasi_fd_t d;
    EXPECT_OK("open_dir_limited",
              __wasi_path_open(ROOT, 0, "subdir", __WASI_OFLAGS_DIRECTORY,
                               __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR,
                               __WASI_RIGHTS_FD_READ, 0, &d));
    __wasi_fd_t f;
    EXPECT_OK("open_file_read_only_right",
              __wasi_path_open(d, 0, "inner.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &f));
    if (f > 2) xclose(f);
    EXPECT_OK("open_file_write_beyond_requested_inheriting",
              __wasi_path_open(d, 0, "inner.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &f));
    __wasi_fdstat_t opened;
    EXPECT_OK("opened_fdstat", __wasi_fd_fdstat_get(f, &opened));
    CHECK("opened_has_fd_write", (opened.fs_rights_base & __WASI_RIGHTS_FD_WRITE) != 0,
          "base rights %llx", (unsigned long long)opened.fs_rights_base);
    __wasi_ciovec_t one = {(const uint8_t *)"X", 1};
    __wasi_size_t wrote;
    EXPECT_OK("opened_write", __wasi_fd_write(f, &one, 1, &wrote));
    CHECK_EQ_U64("opened_write_n", wrote, 1);
    if (f > 2) xclose(f);
    EXPECT_OK("create_through_limited_dir",
              __wasi_path_open(d, 0, "new.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, &f));
    if (f > 2) xclose(f);
    EXPECT_OK("trunc_through_limited_dir",
              __wasi_path_open(d, 0, "inner.txt", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE, 0, 0, &f));
    if (f > 2) xclose(f);
    xclose(d);

    EXPECT_ERRNO("fdstat_closed_ebadf", __wasi_fd_fdstat_get(d, &st), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("set_rights_closed_ebadf", __wasi_fd_fdstat_set_rights(d, 0, 0), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("set_flags_closed_ebadf", __wasi_fd_fdstat_set_flags(d, 0), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("fdstat_huge_fd_ebadf", __wasi_fd_fdstat_get(0x7fffffff, &st), __WASI_ERRNO_BADF);
    return finish();
}
