/* path_create_directory, and trailing-slash rules across calls. */
#include "common.h"

int main(void) {
    setup();
    __wasi_fd_t fd;
    __wasi_filestat_t st;
    EXPECT_OK("mkdir", __wasi_path_create_directory(ROOT, "m"));
    CHECK_EQ_U64("mkdir_is_dir", xstat(ROOT, "m", 0).filetype, __WASI_FILETYPE_DIRECTORY);
    EXPECT_ERRNO("mkdir_existing_eexist", __wasi_path_create_directory(ROOT, "m"), __WASI_ERRNO_EXIST);
    EXPECT_ERRNO("mkdir_over_file_eexist", __wasi_path_create_directory(ROOT, "hello.txt"), __WASI_ERRNO_EXIST);
    EXPECT_ERRNO("mkdir_missing_parent_enoent", __wasi_path_create_directory(ROOT, "no/such"), __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("mkdir_through_file_enotdir", __wasi_path_create_directory(ROOT, "hello.txt/x"), __WASI_ERRNO_NOTDIR);
    EXPECT_ERRNO("mkdir_dot_eexist", __wasi_path_create_directory(ROOT, "."), __WASI_ERRNO_EXIST);
    EXPECT_ERRNO("mkdir_empty_enoent", __wasi_path_create_directory(ROOT, ""), __WASI_ERRNO_NOENT);
    EXPECT_OK("mkdir_trailing_slash", __wasi_path_create_directory(ROOT, "m2/"));
    EXPECT_OK("mkdir_nested", __wasi_path_create_directory(ROOT, "m2/inner"));
    EXPECT_OK("mkdir_dotdot_inside", __wasi_path_create_directory(ROOT, "m2/inner/../sibling"));
    CHECK("sibling_exists", exists(ROOT, "m2/sibling"), "m2/sibling missing");
    EXPECT_OK("symlink_dangling", __wasi_path_symlink("m3", ROOT, "dl"));
    EXPECT_ERRNO("mkdir_over_dangling_symlink_eexist", __wasi_path_create_directory(ROOT, "dl"), __WASI_ERRNO_EXIST);

    /* Trailing slash demands a directory. */
    EXPECT_ERRNO("open_file_slash_enotdir", try_open(ROOT, "hello.txt/", 0, 0, &fd), __WASI_ERRNO_NOTDIR);
    EXPECT_ERRNO("open_file_slashes_enotdir", try_open(ROOT, "hello.txt///", 0, 0, &fd), __WASI_ERRNO_NOTDIR);
    EXPECT_OK("open_dir_slash", try_open(ROOT, "m/", __WASI_OFLAGS_DIRECTORY, 0, &fd));
    xclose(fd);
    EXPECT_OK("open_dir_slashes", try_open(ROOT, "m///", __WASI_OFLAGS_DIRECTORY, 0, &fd));
    xclose(fd);
    EXPECT_ERRNO("stat_file_slash_enotdir", __wasi_path_filestat_get(ROOT, 0, "hello.txt/", &st), __WASI_ERRNO_NOTDIR);
    EXPECT_OK("stat_dir_slash", __wasi_path_filestat_get(ROOT, 0, "m/", &st));
    /* Linux open("newfile/", O_CREAT) -> EISDIR. */
    EXPECT_ERRNO("creat_trailing_slash_eisdir", try_open(ROOT, "newfile/", __WASI_OFLAGS_CREAT, 0, &fd),
                 __WASI_ERRNO_ISDIR);
    CHECK("creat_trailing_slash_created_nothing", !exists(ROOT, "newfile"), "newfile was created");
    EXPECT_ERRNO("missing_slash_enoent", try_open(ROOT, "missing/", 0, 0, &fd), __WASI_ERRNO_NOENT);
    return finish();
}
