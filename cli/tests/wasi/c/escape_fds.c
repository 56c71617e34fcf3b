/* Escape suite, fds: rename/link across preopens, closed-fd reuse, a
 * directory renamed while an fd is open inside it, fd_renumber onto a
 * preopen. */
#include "common.h"

int main(void) {
    setup();
    char buf[64];
    __wasi_fd_t fd;
    /* Rename and link between the two preopens: allowed (same result as
     * Linux renameat on one filesystem) or EXDEV (separate mounts); either
     * way the names stay inside the preopens. */
    put_file(ROOT, "to_move", "MOVED");
    int e = __wasi_path_rename(ROOT, "to_move", 4, "moved_in_other");
    if (e == 0) {
        CHECK_BYTES("rename_across_preopens", buf, get_file(4, "moved_in_other", buf, sizeof buf), "MOVED", 5);
    } else {
        CHECK("rename_across_preopens", e == __WASI_ERRNO_XDEV && exists(ROOT, "to_move"),
              "errno %d (%s); expected success or EXDEV", e, errname(e));
    }
    e = __wasi_path_link(ROOT, 0, "hello.txt", 4, "linked_in_other");
    if (e == 0) {
        CHECK_BYTES("link_across_preopens", buf, get_file(4, "linked_in_other", buf, sizeof buf), "hello world\n", 12);
    } else {
        CHECK("link_across_preopens", e == __WASI_ERRNO_XDEV, "errno %d (%s); expected success or EXDEV", e, errname(e));
    }
    EXPECT_ERRNO("rename_to_other_via_dotdot", __wasi_path_rename(ROOT, "hello.txt", ROOT, "../other/stolen"),
                 __WASI_ERRNO_PERM);
    EXPECT_ERRNO("rename_from_other_via_dotdot", __wasi_path_rename(ROOT, "../other/secret.txt", ROOT, "stolen"),
                 __WASI_ERRNO_PERM);
    EXPECT_ERRNO("rename_sentinel_in", __wasi_path_rename(ROOT, "../outside_sentinel.txt", ROOT, "stolen"),
                 __WASI_ERRNO_PERM);
    EXPECT_ERRNO("rename_out", __wasi_path_rename(ROOT, "hello.txt", ROOT, "../leaked"), __WASI_ERRNO_PERM);
    EXPECT_ERRNO("link_sentinel_in", __wasi_path_link(ROOT, 0, "../outside_sentinel.txt", ROOT, "stolen_link"),
                 __WASI_ERRNO_PERM);
    EXPECT_ERRNO("link_out", __wasi_path_link(ROOT, 0, "hello.txt", ROOT, "../leaked_link"), __WASI_ERRNO_PERM);
    EXPECT_OK("make_updir", __wasi_path_symlink("..", ROOT, "updir"));
    EXPECT_ERRNO("rename_through_escape_link", __wasi_path_rename(ROOT, "hello.txt", ROOT, "updir/leaked2"),
                 __WASI_ERRNO_PERM);
    EXPECT_ERRNO("link_through_escape_link", __wasi_path_link(ROOT, 0, "updir/outside_sentinel.txt", ROOT, "stolen2"),
                 __WASI_ERRNO_PERM);
    EXPECT_ERRNO("link_follow_abs_link",
                 __wasi_path_link(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs_links/outside", ROOT, "stolen3"),
                 __WASI_ERRNO_PERM);

    /* Closed-fd reuse: a closed directory fd is EBADF; when the number is
     * reused by a file, paths relative to it fail with ENOTDIR and never
     * resolve in the old directory. */
    __wasi_fd_t d = xopen(ROOT, "subdir", __WASI_OFLAGS_DIRECTORY, 0);
    xclose(d);
    EXPECT_ERRNO("closed_dir_fd_ebadf", try_open(d, "inner.txt", 0, 0, &fd), __WASI_ERRNO_BADF);
    __wasi_fd_t f = xopen(ROOT, "hello.txt", 0, 0);
    CHECK_EQ_U64("fd_number_reused", f, d);
    EXPECT_ERRNO("reused_fd_is_file_enotdir", try_open(f, "inner.txt", 0, 0, &fd), __WASI_ERRNO_NOTDIR);
    xclose(f);

    /* A directory renamed while an fd is open inside it: the fd follows the
     * directory, and ".." chains from it still cannot leave the preopen. */
    __wasi_fd_t deep = xopen(ROOT, "subdir/deeper", __WASI_OFLAGS_DIRECTORY, 0);
    EXPECT_OK("rename_parent_of_open_dir", __wasi_path_rename(ROOT, "subdir", ROOT, "empty_dir/moved_subdir"));
    CHECK_BYTES("open_dir_follows_rename", buf, get_file(deep, "leaf.txt", buf, sizeof buf), "leaf\n", 5);
    __wasi_fd_t x = 0;
    e = try_open(deep, "../../../outside_sentinel.txt", 0, 0, &x);
    CHECK("moved_dir_dotdot_chain_refused", e == __WASI_ERRNO_PERM, "errno %d (%s)", e, errname(e));
    if (e == 0) xclose(x);
    e = try_open(deep, "../../../../outside_sentinel.txt", 0, 0, &x);
    CHECK("moved_dir_dotdot_chain4_refused", e == __WASI_ERRNO_PERM, "errno %d (%s)", e, errname(e));
    if (e == 0) xclose(x);
    /* Move it up again, to the preopen root, and retry. */
    EXPECT_OK("rename_open_dir_to_root", __wasi_path_rename(ROOT, "empty_dir/moved_subdir/deeper", ROOT, "deeper_top"));
    e = try_open(deep, "../../outside_sentinel.txt", 0, 0, &x);
    CHECK("moved_up_dotdot_refused", e == __WASI_ERRNO_PERM, "errno %d (%s)", e, errname(e));
    if (e == 0) xclose(x);
    put_file(deep, "written_via_moved_fd", "w");
    CHECK("write_via_moved_fd_lands_inside", exists(ROOT, "deeper_top/written_via_moved_fd"), "file not found");

    /* A subdirectory fd renumbered onto the preopen's number is not a way
     * out either. */
    EXPECT_OK("renumber_subdir_onto_preopen", __wasi_fd_renumber(deep, 3));
    e = try_open(3, "../../outside_sentinel.txt", 0, 0, &x);
    CHECK("renumbered_dotdot_refused", e == __WASI_ERRNO_PERM, "errno %d (%s)", e, errname(e));
    if (e == 0) xclose(x);
    e = try_open(3, "../../../outside_sentinel.txt", 0, 0, &x);
    CHECK("renumbered_dotdot3_refused", e == __WASI_ERRNO_PERM, "errno %d (%s)", e, errname(e));
    if (e == 0) xclose(x);
    return finish();
}
