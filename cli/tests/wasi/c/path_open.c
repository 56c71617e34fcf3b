/* path_open oflags and path-shape errnos. */
#include "common.h"

int main(void) {
    setup();
    __wasi_fd_t fd;
    char buf[300];
    EXPECT_ERRNO("missing_enoent", try_open(ROOT, "missing", 0, 0, &fd), __WASI_ERRNO_NOENT);
    EXPECT_OK("creat_new", try_open(ROOT, "new", __WASI_OFLAGS_CREAT, 0, &fd));
    CHECK_EQ_U64("creat_new_empty", xfstat(fd).size, 0);
    xclose(fd);
    EXPECT_OK("creat_existing_keeps_data", try_open(ROOT, "hello.txt", __WASI_OFLAGS_CREAT, 0, &fd));
    CHECK_EQ_U64("creat_existing_size", xfstat(fd).size, 12);
    xclose(fd);
    EXPECT_ERRNO("creat_excl_existing_eexist",
                 try_open(ROOT, "hello.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, &fd), __WASI_ERRNO_EXIST);
    EXPECT_ERRNO("creat_excl_dir_eexist",
                 try_open(ROOT, "subdir", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, &fd), __WASI_ERRNO_EXIST);
    EXPECT_OK("creat_excl_new", try_open(ROOT, "new2", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, &fd));
    xclose(fd);
    EXPECT_ERRNO("directory_flag_on_file_enotdir", try_open(ROOT, "hello.txt", __WASI_OFLAGS_DIRECTORY, 0, &fd),
                 __WASI_ERRNO_NOTDIR);
    EXPECT_ERRNO("creat_directory_flag_einval",
                 __wasi_path_open(ROOT, 0, "newdir", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR, 0, 0, &fd),
                 __WASI_ERRNO_INVAL);
    /* Opening a directory for writing: EISDIR (Linux open(dir, O_RDWR)). */
    EXPECT_ERRNO("open_dir_for_write_eisdir",
                 __wasi_path_open(ROOT, 0, "subdir", 0, RIGHTS_ALL, RIGHTS_ALL, 0, &fd), __WASI_ERRNO_ISDIR);
    EXPECT_ERRNO("creat_on_dir_eisdir",
                 __wasi_path_open(ROOT, 0, "subdir", __WASI_OFLAGS_CREAT, RIGHTS_ALL, RIGHTS_ALL, 0, &fd),
                 __WASI_ERRNO_ISDIR);
    EXPECT_ERRNO("trunc_on_dir_eisdir",
                 __wasi_path_open(ROOT, 0, "subdir", __WASI_OFLAGS_TRUNC, RIGHTS_ALL, RIGHTS_ALL, 0, &fd),
                 __WASI_ERRNO_ISDIR);
    /* A directory without O_DIRECTORY and with read-only rights opens fine. */
    EXPECT_OK("open_dir_readonly", __wasi_path_open(ROOT, 0, "subdir", 0, RIGHTS_DIR, RIGHTS_ALL, 0, &fd));
    __wasi_fdstat_t st;
    EXPECT_OK("open_dir_fdstat", __wasi_fd_fdstat_get(fd, &st));
    CHECK_EQ_U64("open_dir_is_directory", st.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    xclose(fd);
    EXPECT_ERRNO("empty_path_enoent", try_open(ROOT, "", 0, 0, &fd), __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("through_file_enotdir", try_open(ROOT, "hello.txt/x", 0, 0, &fd), __WASI_ERRNO_NOTDIR);
    EXPECT_ERRNO("creat_through_file_enotdir", try_open(ROOT, "hello.txt/x", __WASI_OFLAGS_CREAT, 0, &fd),
                 __WASI_ERRNO_NOTDIR);
    EXPECT_ERRNO("creat_missing_parent_enoent", try_open(ROOT, "nodir/x", __WASI_OFLAGS_CREAT, 0, &fd),
                 __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("absolute_path_eperm", try_open(ROOT, "/hello.txt", 0, 0, &fd), __WASI_ERRNO_PERM);
    EXPECT_ERRNO("dotdot_escape_eperm", try_open(ROOT, "../sandbox/hello.txt", 0, 0, &fd), __WASI_ERRNO_PERM);
    EXPECT_ERRNO("open_on_file_fd_enotdir", try_open(xopen(ROOT, "hello.txt", 0, 0), "x", 0, 0, &fd),
                 __WASI_ERRNO_NOTDIR);
    EXPECT_ERRNO("open_on_bad_fd_ebadf", try_open(1000, "x", 0, 0, &fd), __WASI_ERRNO_BADF);
    /* Messy but legal paths. */
    EXPECT_OK("dots_and_slashes", try_open(ROOT, "subdir/.//deeper/../deeper/./leaf.txt", 0, 0, &fd));
    CHECK_BYTES("dots_and_slashes_content", buf, xread(fd, buf, sizeof buf), "leaf\n", 5);
    xclose(fd);
    EXPECT_OK("dot_is_root", try_open(ROOT, ".", __WASI_OFLAGS_DIRECTORY, 0, &fd));
    xclose(fd);
    EXPECT_OK("dotdot_back_inside", try_open(ROOT, "subdir/../hello.txt", 0, 0, &fd));
    xclose(fd);
    /* Name length: 255 bytes ok, 256 -> ENAMETOOLONG (Linux NAME_MAX). */
    memset(buf, 'n', 255);
    buf[255] = 0;
    EXPECT_OK("name_255_ok", try_open(ROOT, buf, __WASI_OFLAGS_CREAT, 0, &fd));
    if (fd > 2) xclose(fd);
    memset(buf, 'm', 256);
    buf[256] = 0;
    EXPECT_ERRNO("name_256_enametoolong", try_open(ROOT, buf, __WASI_OFLAGS_CREAT, 0, &fd), __WASI_ERRNO_NAMETOOLONG);
    EXPECT_ERRNO("name_256_lookup_enametoolong", try_open(ROOT, buf, 0, 0, &fd), __WASI_ERRNO_NAMETOOLONG);
    /* Invalid UTF-8 in a path -> EILSEQ. */
    EXPECT_ERRNO("invalid_utf8_eilseq", try_open(ROOT, "bad\xff\xfe", __WASI_OFLAGS_CREAT, 0, &fd), __WASI_ERRNO_ILSEQ);
    /* Non-ASCII names round trip. */
    EXPECT_OK("utf8_name", try_open(ROOT, "\xc3\xa9t\xc3\xa9.txt", __WASI_OFLAGS_CREAT, 0, &fd));
    xclose(fd);
    CHECK("utf8_name_exists", exists(ROOT, "\xc3\xa9t\xc3\xa9.txt"), "not found");
    /* File fds get the lowest free number. */
    __wasi_fd_t f1 = xopen(ROOT, "hello.txt", 0, 0), f2 = xopen(ROOT, "hello.txt", 0, 0);
    xclose(f1);
    __wasi_fd_t f3 = xopen(ROOT, "hello.txt", 0, 0);
    CHECK_EQ_U64("lowest_free_fd_reused", f3, f1);
    xclose(f2);
    xclose(f3);
    return finish();
}
