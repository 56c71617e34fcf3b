/* path_rename with Linux renameat(2) semantics. */
#include "common.h"

int main(void) {
    setup();
    char buf[64];
    put_file(ROOT, "a", "AAA");
    EXPECT_OK("rename_file", __wasi_path_rename(ROOT, "a", ROOT, "b"));
    CHECK("source_gone", !exists(ROOT, "a"), "a still exists");
    CHECK_BYTES("target_has_data", buf, get_file(ROOT, "b", buf, sizeof buf), "AAA", 3);

    /* Over an existing file: replaced atomically, old inode gone. */
    put_file(ROOT, "c", "CCCCC");
    __wasi_fd_t old = xopen(ROOT, "c", 0, 0);
    __wasi_filestat_t bst = xstat(ROOT, "b", 0);
    EXPECT_OK("rename_over_file", __wasi_path_rename(ROOT, "b", ROOT, "c"));
    CHECK_BYTES("over_file_content", buf, get_file(ROOT, "c", buf, sizeof buf), "AAA", 3);
    CHECK_EQ_U64("over_file_keeps_source_inode", xstat(ROOT, "c", 0).ino, bst.ino);
    /* The replaced file stays readable through its open fd. */
    CHECK_BYTES("replaced_file_open_fd_readable", buf, xread(old, buf, sizeof buf), "CCCCC", 5);
    CHECK_EQ_U64("replaced_file_nlink_zero", xfstat(old).nlink, 0);
    xclose(old);

    /* Directory over an empty directory. */
    xmkdir(ROOT, "d1");
    put_file(ROOT, "d1/f", "f");
    xmkdir(ROOT, "d2");
    EXPECT_OK("rename_dir_over_empty_dir", __wasi_path_rename(ROOT, "d1", ROOT, "d2"));
    CHECK("dir_moved", !exists(ROOT, "d1") && exists(ROOT, "d2/f"), "d1 still there or d2/f missing");

    /* Directory onto a non-empty directory. */
    xmkdir(ROOT, "d3");
    EXPECT_ERRNO("rename_dir_over_nonempty_enotempty", __wasi_path_rename(ROOT, "d3", ROOT, "d2"),
                 __WASI_ERRNO_NOTEMPTY);
    /* Directory into its own subtree. */
    xmkdir(ROOT, "d2/sub");
    EXPECT_ERRNO("rename_dir_into_child_einval", __wasi_path_rename(ROOT, "d2", ROOT, "d2/sub/x"),
                 __WASI_ERRNO_INVAL);
    EXPECT_ERRNO("rename_dir_into_itself_einval", __wasi_path_rename(ROOT, "d2", ROOT, "d2/x"),
                 __WASI_ERRNO_INVAL);
    /* A file over a directory, a directory over a file. */
    put_file(ROOT, "file", "x");
    EXPECT_ERRNO("rename_file_over_dir_eisdir", __wasi_path_rename(ROOT, "file", ROOT, "d3"), __WASI_ERRNO_ISDIR);
    EXPECT_ERRNO("rename_dir_over_file_enotdir", __wasi_path_rename(ROOT, "d3", ROOT, "file"), __WASI_ERRNO_NOTDIR);
    /* Missing source, missing target parent. */
    EXPECT_ERRNO("rename_missing_enoent", __wasi_path_rename(ROOT, "nope", ROOT, "x"), __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("rename_target_parent_missing_enoent", __wasi_path_rename(ROOT, "file", ROOT, "nodir/x"),
                 __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("rename_through_file_enotdir", __wasi_path_rename(ROOT, "file", ROOT, "file/x"),
                 __WASI_ERRNO_NOTDIR);
    /* Rename onto itself, and between two hard links of one file: no-op. */
    EXPECT_OK("rename_to_itself", __wasi_path_rename(ROOT, "file", ROOT, "file"));
    CHECK("file_still_there", exists(ROOT, "file"), "file vanished");
    EXPECT_OK("link_for_rename", __wasi_path_link(ROOT, 0, "file", ROOT, "file_link"));
    EXPECT_OK("rename_between_hard_links", __wasi_path_rename(ROOT, "file", ROOT, "file_link"));
    CHECK("hard_link_rename_is_noop", exists(ROOT, "file") && exists(ROOT, "file_link"),
          "one of the links vanished (Linux leaves both)");
    /* Trailing slashes: ok on directories, ENOTDIR on files. */
    EXPECT_OK("rename_dir_trailing_slash", __wasi_path_rename(ROOT, "d3/", ROOT, "d4/"));
    CHECK("dir_trailing_slash_moved", exists(ROOT, "d4") && !exists(ROOT, "d3"), "d4 missing");
    EXPECT_ERRNO("rename_file_trailing_slash_enotdir", __wasi_path_rename(ROOT, "file/", ROOT, "f2"),
                 __WASI_ERRNO_NOTDIR);
    EXPECT_ERRNO("rename_file_to_trailing_slash_enotdir", __wasi_path_rename(ROOT, "file", ROOT, "f2/"),
                 __WASI_ERRNO_NOTDIR);
    /* Renaming "." is refused (Linux renameat(fd, ".", ...) -> EBUSY). */
    EXPECT_ERRNO("rename_dot_ebusy", __wasi_path_rename(ROOT, ".", ROOT, "dotmoved"), __WASI_ERRNO_BUSY);

    /* An open fd follows the file across a rename; an open directory fd
     * keeps working after its directory is renamed. */
    put_file(ROOT, "moving", "MOVE");
    __wasi_fd_t mf = xopen(ROOT, "moving", 0, 0);
    xmkdir(ROOT, "dd");
    put_file(ROOT, "dd/in", "IN");
    __wasi_fd_t dd = xopen(ROOT, "dd", __WASI_OFLAGS_DIRECTORY, 0);
    EXPECT_OK("rename_open_file", __wasi_path_rename(ROOT, "moving", ROOT, "d4/moved"));
    CHECK_BYTES("open_fd_after_rename", buf, xread(mf, buf, sizeof buf), "MOVE", 4);
    EXPECT_OK("rename_open_dir", __wasi_path_rename(ROOT, "dd", ROOT, "d4/dd_moved"));
    CHECK_BYTES("dir_fd_after_rename", buf, get_file(dd, "in", buf, sizeof buf), "IN", 2);
    put_file(dd, "created_after", "new");
    CHECK("create_through_moved_dir_fd", exists(ROOT, "d4/dd_moved/created_after"), "file not at new location");
    xclose(mf);
    xclose(dd);
    /* Rename across two directory fds. */
    __wasi_fd_t d4 = xopen(ROOT, "d4", __WASI_OFLAGS_DIRECTORY, 0);
    EXPECT_OK("rename_between_dir_fds", __wasi_path_rename(d4, "moved", ROOT, "back"));
    CHECK_BYTES("rename_between_dir_fds_content", buf, get_file(ROOT, "back", buf, sizeof buf), "MOVE", 4);
    xclose(d4);
    EXPECT_ERRNO("rename_bad_fd", __wasi_path_rename(d4, "x", ROOT, "y"), __WASI_ERRNO_BADF);
    return finish();
}
