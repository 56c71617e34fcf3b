/* path_unlink_file and path_remove_directory errnos (Linux unlinkat). */
#include "common.h"

int main(void) {
    setup();
    put_file(ROOT, "f", "x");
    xmkdir(ROOT, "d");
    xmkdir(ROOT, "full");
    put_file(ROOT, "full/x", "x");
    EXPECT_ERRNO("unlink_dir_eisdir", __wasi_path_unlink_file(ROOT, "d"), __WASI_ERRNO_ISDIR);
    EXPECT_ERRNO("rmdir_file_enotdir", __wasi_path_remove_directory(ROOT, "f"), __WASI_ERRNO_NOTDIR);
    EXPECT_ERRNO("rmdir_nonempty_enotempty", __wasi_path_remove_directory(ROOT, "full"), __WASI_ERRNO_NOTEMPTY);
    EXPECT_ERRNO("unlink_missing_enoent", __wasi_path_unlink_file(ROOT, "missing"), __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("rmdir_missing_enoent", __wasi_path_remove_directory(ROOT, "missing"), __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("unlink_file_trailing_slash_enotdir", __wasi_path_unlink_file(ROOT, "f/"), __WASI_ERRNO_NOTDIR);
    EXPECT_ERRNO("unlink_dir_trailing_slash_eisdir", __wasi_path_unlink_file(ROOT, "d/"), __WASI_ERRNO_ISDIR);
    EXPECT_ERRNO("unlink_through_file_enotdir", __wasi_path_unlink_file(ROOT, "f/x"), __WASI_ERRNO_NOTDIR);
    EXPECT_ERRNO("rmdir_dot_einval", __wasi_path_remove_directory(ROOT, "d/."), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO("empty_path_unlink_enoent", __wasi_path_unlink_file(ROOT, ""), __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("empty_path_rmdir_enoent", __wasi_path_remove_directory(ROOT, ""), __WASI_ERRNO_NOENT);
    EXPECT_OK("rmdir_trailing_slash", __wasi_path_remove_directory(ROOT, "d/"));
    CHECK("rmdir_removed", !exists(ROOT, "d"), "d still exists");
    EXPECT_OK("unlink_file", __wasi_path_unlink_file(ROOT, "f"));
    CHECK("unlink_removed", !exists(ROOT, "f"), "f still exists");
    EXPECT_OK("unlink_in_subdir", __wasi_path_unlink_file(ROOT, "full/x"));
    EXPECT_OK("rmdir_now_empty", __wasi_path_remove_directory(ROOT, "full"));

    /* Symlinks: unlink removes the link, not its target; rmdir on a
     * symlink to a directory -> ENOTDIR. */
    xmkdir(ROOT, "target_dir");
    put_file(ROOT, "target_file", "t");
    EXPECT_OK("symlink_to_dir", __wasi_path_symlink("target_dir", ROOT, "ld"));
    EXPECT_OK("symlink_to_file", __wasi_path_symlink("target_file", ROOT, "lf"));
    EXPECT_ERRNO("rmdir_symlink_to_dir_enotdir", __wasi_path_remove_directory(ROOT, "ld"), __WASI_ERRNO_NOTDIR);
    EXPECT_OK("unlink_symlink_to_dir", __wasi_path_unlink_file(ROOT, "ld"));
    EXPECT_OK("unlink_symlink_to_file", __wasi_path_unlink_file(ROOT, "lf"));
    CHECK("symlink_targets_kept", exists(ROOT, "target_dir") && exists(ROOT, "target_file"), "target removed");
    EXPECT_OK("symlink_dangling", __wasi_path_symlink("nowhere", ROOT, "dangling"));
    EXPECT_OK("unlink_dangling_symlink", __wasi_path_unlink_file(ROOT, "dangling"));

    /* A removed directory that is still open: readdir gives nothing, and
     * creating inside it fails with ENOENT (Linux). */
    xmkdir(ROOT, "doomed");
    __wasi_fd_t dfd = xopen(ROOT, "doomed", __WASI_OFLAGS_DIRECTORY, 0);
    EXPECT_OK("rmdir_open_dir", __wasi_path_remove_directory(ROOT, "doomed"));
    __wasi_fd_t f2;
    EXPECT_ERRNO("create_in_removed_dir_enoent", try_open(dfd, "new", __WASI_OFLAGS_CREAT, 0, &f2),
                 __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("mkdir_in_removed_dir_enoent", __wasi_path_create_directory(dfd, "sub"), __WASI_ERRNO_NOENT);
    xclose(dfd);
    EXPECT_ERRNO("unlink_bad_fd", __wasi_path_unlink_file(77, "x"), __WASI_ERRNO_BADF);
    EXPECT_ERRNO("unlink_on_file_fd_enotdir", __wasi_path_unlink_file(xopen(ROOT, "target_file", 0, 0), "x"),
                 __WASI_ERRNO_NOTDIR);
    return finish();
}
