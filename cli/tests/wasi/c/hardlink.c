/* path_link: nlink accounting, shared data, errnos. */
#include "common.h"

int main(void) {
    setup();
    char buf[64];
    put_file(ROOT, "orig", "data");
    CHECK_EQ_U64("nlink_one", xstat(ROOT, "orig", 0).nlink, 1);
    EXPECT_OK("link", __wasi_path_link(ROOT, 0, "orig", ROOT, "alias"));
    __wasi_filestat_t s1 = xstat(ROOT, "orig", 0), s2 = xstat(ROOT, "alias", 0);
    CHECK_EQ_U64("nlink_two", s1.nlink, 2);
    CHECK("same_inode", s1.ino == s2.ino && s1.dev == s2.dev, "ino %llu vs %llu", (unsigned long long)s1.ino,
          (unsigned long long)s2.ino);
    __wasi_fd_t fd = xopen(ROOT, "alias", 0, __WASI_FDFLAGS_APPEND);
    xwrite(fd, "+", 1);
    CHECK_EQ_U64("fd_nlink_two", xfstat(fd).nlink, 2);
    xclose(fd);
    CHECK_BYTES("write_visible_via_other_name", buf, get_file(ROOT, "orig", buf, sizeof buf), "data+", 5);
    xmkdir(ROOT, "sub");
    EXPECT_OK("link_into_subdir", __wasi_path_link(ROOT, 0, "orig", ROOT, "sub/third"));
    CHECK_EQ_U64("nlink_three", xstat(ROOT, "orig", 0).nlink, 3);
    EXPECT_OK("unlink_one_name", __wasi_path_unlink_file(ROOT, "orig"));
    CHECK_EQ_U64("nlink_after_unlink", xstat(ROOT, "alias", 0).nlink, 2);
    CHECK_BYTES("data_kept_after_unlink", buf, get_file(ROOT, "sub/third", buf, sizeof buf), "data+", 5);

    EXPECT_ERRNO("link_existing_eexist", __wasi_path_link(ROOT, 0, "alias", ROOT, "sub/third"), __WASI_ERRNO_EXIST);
    EXPECT_ERRNO("link_missing_enoent", __wasi_path_link(ROOT, 0, "missing", ROOT, "x"), __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("link_dir_eperm", __wasi_path_link(ROOT, 0, "sub", ROOT, "sub2"), __WASI_ERRNO_PERM);
    EXPECT_ERRNO("link_target_parent_missing", __wasi_path_link(ROOT, 0, "alias", ROOT, "nodir/x"), __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("link_target_trailing_slash", __wasi_path_link(ROOT, 0, "alias", ROOT, "newname/"),
                 __WASI_ERRNO_NOENT);
    EXPECT_ERRNO("link_source_trailing_slash", __wasi_path_link(ROOT, 0, "alias/", ROOT, "x"), __WASI_ERRNO_NOTDIR);

    /* Linking a symlink: without SYMLINK_FOLLOW the link itself is linked
     * (Linux linkat without AT_SYMLINK_FOLLOW); with it, the target. */
    EXPECT_OK("make_symlink", __wasi_path_symlink("alias", ROOT, "sl"));
    EXPECT_OK("link_symlink_nofollow", __wasi_path_link(ROOT, 0, "sl", ROOT, "sl_hard"));
    __wasi_filestat_t sl = xstat(ROOT, "sl_hard", 0);
    CHECK_EQ_U64("nofollow_links_the_symlink", sl.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_EQ_U64("symlink_nlink_two", sl.nlink, 2);
    EXPECT_OK("link_symlink_follow",
              __wasi_path_link(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "sl", ROOT, "followed_hard"));
    __wasi_filestat_t fh;
    memset(&fh, 0, sizeof fh);
    int fe = __wasi_path_filestat_get(ROOT, 0, "followed_hard", &fh);
    CHECK("follow_links_the_target", fe == 0 && fh.filetype == __WASI_FILETYPE_REGULAR_FILE && fh.ino == s1.ino,
          "stat errno %d filetype %d", fe, fh.filetype);
    return finish();
}
