/* Directory fds and preopen rights, as the WASI test suite's dir_fd_op_failures,
 * directory_seek, path_open_preopen, path_open_nonblock and path_link use them
 * (our own checks of the same behaviours, exact errnos). */
#include "common.h"

/* The rights the suite's path_open_preopen requires of a preopened directory:
 * what userland (wasi-libc, Rust std) expects every directory to have. */
#define DIR_BASE_RIGHTS                                                                           \
    (__WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_PATH_CREATE_FILE |                      \
     __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET | __WASI_RIGHTS_PATH_OPEN | \
     __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_READLINK | __WASI_RIGHTS_PATH_RENAME_SOURCE | \
     __WASI_RIGHTS_PATH_RENAME_TARGET | __WASI_RIGHTS_PATH_SYMLINK |                             \
     __WASI_RIGHTS_PATH_REMOVE_DIRECTORY | __WASI_RIGHTS_PATH_UNLINK_FILE |                      \
     __WASI_RIGHTS_PATH_FILESTAT_GET | __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES |                   \
     __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES)
#define FILE_RIGHTS                                                                               \
    (__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |                 \
     __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_TELL |         \
     __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |              \
     __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_POLL_FD_READWRITE)

int main(void) {
    setup();
    __wasi_fd_t fd;
    __wasi_fdstat_t st;
    __wasi_filesize_t pos;

    /* Preopen rights. */
    EXPECT_OK("fdstat_preopen", __wasi_fd_fdstat_get(ROOT, &st));
    CHECK("preopen_base_has_directory_rights", (st.fs_rights_base & DIR_BASE_RIGHTS) == DIR_BASE_RIGHTS,
          "missing 0x%llx", (unsigned long long)(DIR_BASE_RIGHTS & ~st.fs_rights_base));
    CHECK("preopen_inheriting_has_file_and_directory_rights",
          (st.fs_rights_inheriting & (DIR_BASE_RIGHTS | FILE_RIGHTS)) == (DIR_BASE_RIGHTS | FILE_RIGHTS),
          "missing 0x%llx", (unsigned long long)((DIR_BASE_RIGHTS | FILE_RIGHTS) & ~st.fs_rights_inheriting));
    CHECK_EQ_U64("preopen_base_has_no_seek_or_tell",
                 st.fs_rights_base & (__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL), 0);
    /* Reopening the preopen with its own rights, none, or O_DIRECTORY + FD_READ
     * all work; O_DIRECTORY with FD_WRITE is EISDIR (Linux open(dir, O_RDWR)). */
    EXPECT_OK("reopen_with_own_rights",
              __wasi_path_open(ROOT, 0, ".", 0, st.fs_rights_base, st.fs_rights_inheriting, 0, &fd));
    xclose(fd);
    EXPECT_OK("reopen_without_rights", __wasi_path_open(ROOT, 0, ".", 0, 0, 0, 0, &fd));
    xclose(fd);
    EXPECT_OK("reopen_o_directory_read_right",
              __wasi_path_open(ROOT, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0, 0, &fd));
    xclose(fd);
    EXPECT_ERRNO("reopen_o_directory_read_write_eisdir",
                 __wasi_path_open(ROOT, 0, ".", __WASI_OFLAGS_DIRECTORY,
                                  __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &fd),
                 __WASI_ERRNO_ISDIR);
    EXPECT_OK("reopen_nonblock", __wasi_path_open(ROOT, 0, ".", 0, 0, 0, __WASI_FDFLAGS_NONBLOCK, &fd));
    xclose(fd);

    /* A short buffer for the preopen's name is refused, never truncated. */
    uint8_t name[64];
    EXPECT_ERRNO("prestat_dir_name_zero_length_enametoolong", __wasi_fd_prestat_dir_name(ROOT, name, 0),
                 __WASI_ERRNO_NAMETOOLONG);

    /* Seeking a directory fd: the fd has no FD_SEEK/FD_TELL right, so EBADF
     * (the suite wants an error; Linux's lseek on a directory would succeed,
     * but a directory's position is its readdir cookie here). */
    EXPECT_ERRNO("seek_dir_set_ebadf", __wasi_fd_seek(ROOT, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("seek_dir_cur_ebadf", __wasi_fd_seek(ROOT, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("seek_dir_end_ebadf", __wasi_fd_seek(ROOT, 0, __WASI_WHENCE_END, &pos), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("tell_dir_ebadf", __wasi_fd_tell(ROOT, &pos), __WASI_ERRNO_BADF);

    /* Asking for FD_SEEK on a directory: the open succeeds, without the right. */
    __wasi_fd_t d;
    EXPECT_OK("open_dir_requesting_seek",
              __wasi_path_open(ROOT, 0, "subdir", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_SEEK, 0, 0, &d));
    EXPECT_OK("fdstat_dir", __wasi_fd_fdstat_get(d, &st));
    CHECK_EQ_U64("dir_is_directory", st.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_EQ_U64("dir_lacks_seek_right", st.fs_rights_base & __WASI_RIGHTS_FD_SEEK, 0);
    EXPECT_ERRNO("seek_dir_requested_seek_ebadf", __wasi_fd_seek(d, 0, __WASI_WHENCE_CUR, &pos),
                 __WASI_ERRNO_BADF);
    xclose(d);

    /* path_link of symlinks that lead nowhere: without SYMLINK_FOLLOW the
     * symlink itself is linked (Linux linkat), dangling or looping; with it, a
     * dangling symlink is ENOENT (linkat(AT_SYMLINK_FOLLOW)). */
    EXPECT_OK("make_dangling", __wasi_path_symlink("nowhere", ROOT, "dangling"));
    EXPECT_OK("link_dangling_symlink", __wasi_path_link(ROOT, 0, "dangling", ROOT, "dangling_hard"));
    CHECK_EQ_U64("dangling_hard_is_symlink", xstat(ROOT, "dangling_hard", 0).filetype,
                 __WASI_FILETYPE_SYMBOLIC_LINK);
    EXPECT_ERRNO("link_follow_dangling_enoent",
                 __wasi_path_link(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangling", ROOT, "followed"),
                 __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("link_onto_dangling_symlink_eexist", __wasi_path_link(ROOT, 0, "hello.txt", ROOT, "dangling"),
                 __WASI_ERRNO_EXIST);
    EXPECT_OK("make_loop", __wasi_path_symlink("loop", ROOT, "loop"));
    EXPECT_OK("link_looping_symlink", __wasi_path_link(ROOT, 0, "loop", ROOT, "loop_hard"));
    CHECK_EQ_U64("loop_hard_is_symlink", xstat(ROOT, "loop_hard", 0).filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    return finish();
}
